package org.corvid.jca.api;

/**
 * A command of a line protocol (LMTP, POP3): {@code NAME argument-text}.
 *
 * @param name      the command word, upper-cased
 * @param arguments the rest of the line after one space, possibly empty
 */
public record LineRequest(String name, String arguments) {
}
