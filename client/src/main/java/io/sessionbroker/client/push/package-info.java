/**
 * Live push of revocations to the browser (SPEC §3.4): a {@link
 * io.sessionbroker.client.push.SessionEventsHub} that tells every open tab of a session the moment
 * it is revoked, over server-sent events, for any web framework; the Jakarta Servlet endpoint is
 * {@link io.sessionbroker.client.servlet.SessionEventsServlet}. The page script is the class-path
 * resource {@value io.sessionbroker.client.push.SessionEventsHub#SCRIPT_RESOURCE}.
 */
package io.sessionbroker.client.push;
