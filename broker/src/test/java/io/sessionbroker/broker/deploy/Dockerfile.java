package io.sessionbroker.broker.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/** Reads the broker's {@code Dockerfile.jvm}; the image cannot be built here (no Docker engine). */
final class Dockerfile {

  private Dockerfile() {}

  /** The arguments of every {@code keyword} instruction, continuation lines joined. */
  static List<String> instructions(String keyword) {
    String text;
    try {
      text =
          Files.readString(
              Kustomize.repositoryRoot().resolve("broker/src/main/docker/Dockerfile.jvm"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.replaceAll("\\\\\\r?\\n", " ")
        .lines()
        .map(String::strip)
        .filter(line -> line.startsWith(keyword + " "))
        .map(line -> line.substring(keyword.length()).strip())
        .toList();
  }

  /** The base image. */
  static String baseImage() {
    List<String> from = instructions("FROM");
    if (from.size() != 1) {
      throw new AssertionError("expected one FROM in Dockerfile.jvm, found " + from);
    }
    return from.get(0);
  }
}
