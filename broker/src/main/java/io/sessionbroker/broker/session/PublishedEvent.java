package io.sessionbroker.broker.session;

/**
 * An event as stored in a client's stream.
 *
 * @param clientId the client whose stream holds it
 * @param id the stream id
 * @param json the exact payload stored and published
 * @param appended false when an identical revocation had already appended it (deduplicated)
 */
public record PublishedEvent(String clientId, String id, String json, boolean appended) {}
