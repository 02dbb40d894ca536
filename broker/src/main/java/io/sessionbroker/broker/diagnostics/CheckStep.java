package io.sessionbroker.broker.diagnostics;

/**
 * One step of a diagnostic check.
 *
 * @param name what was checked, e.g. "discovery"
 * @param ok whether it passed
 * @param detail what was found, or what is wrong and how to fix it, in plain words
 */
public record CheckStep(String name, boolean ok, String detail) {}
