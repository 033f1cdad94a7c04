package org.corvid.jca.impl.codec;

/** A line read verbatim because the session asked for a continuation (e.g. a SASL response). */
public record RawLine(String line) {
}
