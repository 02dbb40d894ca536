/**
 * Session Broker client library: receive revocation events from Redis ({@link
 * io.sessionbroker.client.SessionBrokerClient}), check sessions in memory ({@link
 * io.sessionbroker.client.RevocationChecker}), register sessions with the broker ({@link
 * io.sessionbroker.client.SessionRegistrationClient}) and build Keycloak logout URLs ({@link
 * io.sessionbroker.client.LogoutUrls}).
 *
 * <p>Everything outside {@code internal} is public API; {@code internal} may change at any time.
 */
package io.sessionbroker.client;
