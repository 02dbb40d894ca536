package io.sessionbroker.client.push;

import java.io.IOException;

/**
 * One open server-sent-events stream to one browser tab, as the web framework provides it. The hub
 * calls it from its own threads, one call at a time per sink.
 */
public interface PushSink {

  /**
   * Writes one event ({@code event: <name>}, {@code data: <data>}) and flushes it.
   *
   * @param name the event name, {@code revoked} or {@code signed-out}
   * @param data one line of JSON
   * @throws IOException when the tab is gone
   */
  void send(String name, String data) throws IOException;

  /**
   * Writes an SSE comment line (ignored by the browser) and flushes it; keeps proxies from closing
   * an idle stream and finds tabs that are gone.
   *
   * @throws IOException when the tab is gone
   */
  void heartbeat() throws IOException;

  /** Ends the stream. Must not throw. */
  void close();
}
