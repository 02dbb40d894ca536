package io.sessionbroker.broker.session;

import java.util.Set;

/**
 * The clients of an issuer that this broker knows to have, or to need, a revocation stream (SPEC
 * §3.3) beyond the configured allow-list and the clients that registered sessions: clients whose
 * streams the verdict's revocation feed discovered, and clients whose access tokens the verdict
 * judged. Held in memory; answering costs no Redis call.
 */
public interface StreamClients {

  /**
   * @param issuer the issuer alias
   * @return the client ids known for {@code issuer}; empty when none
   */
  Set<String> clientsOf(String issuer);
}
