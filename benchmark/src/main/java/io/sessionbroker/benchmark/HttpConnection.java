package io.sessionbroker.benchmark;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection over a plain socket. The load generator shares two cores with
 * the broker, so it must cost as little as possible per request: requests are prebuilt byte arrays
 * and a response is parsed just enough to find its status and end (Content-Length or chunked).
 */
final class HttpConnection implements AutoCloseable {

  /** A response: status and, when asked for, the body. */
  record Response(int status, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final int port;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  HttpConnection(int port) {
    this.port = port;
  }

  /** A POST request with a body; {@code bearer} may be null. */
  static byte[] post(int port, String path, String contentType, String bearer, String body) {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(256);
    head.append("POST ").append(path).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    head.append("Content-Type: ").append(contentType).append("\r\n");
    head.append("Content-Length: ").append(content.length).append("\r\n");
    if (bearer != null) {
      head.append("Authorization: Bearer ").append(bearer).append("\r\n");
    }
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[headBytes.length + content.length];
    System.arraycopy(headBytes, 0, request, 0, headBytes.length);
    System.arraycopy(content, 0, request, headBytes.length, content.length);
    return request;
  }

  /** A GET request; {@code bearer} may be null. */
  static byte[] get(int port, String pathAndQuery, String bearer) {
    StringBuilder head = new StringBuilder(256);
    head.append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1:").append(port).append("\r\n");
    if (bearer != null) {
      head.append("Authorization: Bearer ").append(bearer).append("\r\n");
    }
    head.append("\r\n");
    return head.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Sends a request and reads the whole response. On an I/O failure the connection is dropped and
   * the next call opens a new one.
   *
   * @param keepBody whether to return the body (otherwise it is read and discarded)
   */
  Response exchange(byte[] request, boolean keepBody) throws IOException {
    try {
      if (socket == null) {
        open();
      }
      out.write(request);
      out.flush();
      return readResponse(keepBody);
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private void open() throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(30_000);
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = socket.getOutputStream();
  }

  private Response readResponse(boolean keepBody) throws IOException {
    String statusLine = readLine();
    if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.1 ")) {
      throw new IOException("not an HTTP/1.1 status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long contentLength = -1;
    boolean chunked = false;
    boolean closeAfter = false;
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> contentLength = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> closeAfter = value.equalsIgnoreCase("close");
        default -> {}
      }
    }
    ByteArrayOutputStream body = keepBody ? new ByteArrayOutputStream() : null;
    if (chunked) {
      readChunked(body);
    } else if (contentLength > 0) {
      copy(contentLength, body);
    }
    if (closeAfter) {
      close();
    }
    return new Response(status, body == null ? new byte[0] : body.toByteArray());
  }

  private void readChunked(ByteArrayOutputStream body) throws IOException {
    while (true) {
      String sizeLine = readLine();
      int semicolon = sizeLine.indexOf(';');
      long size =
          Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        while (!readLine().isEmpty()) {
          // Trailers: none expected, skip any.
        }
        return;
      }
      copy(size, body);
      readLine();
    }
  }

  private void copy(long length, ByteArrayOutputStream body) throws IOException {
    byte[] buffer = new byte[8192];
    long left = length;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw new EOFException("connection closed inside a response body");
      }
      if (body != null) {
        body.write(buffer, 0, read);
      }
      left -= read;
    }
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder(64);
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new EOFException("connection closed by the broker");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing a broken socket: nothing left to do.
      }
    }
    socket = null;
    in = null;
    out = null;
  }
}
