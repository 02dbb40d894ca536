/**
 * Jakarta Servlet integration: a {@link io.sessionbroker.client.servlet.SessionTracker} that
 * invalidates live {@code HttpSession}s as soon as a revocation arrives, and a {@link
 * io.sessionbroker.client.servlet.RevocationFilter} that checks each request's session. Needs
 * {@code jakarta.servlet-api} 6 on the class path (provided by the container).
 */
package io.sessionbroker.client.servlet;
