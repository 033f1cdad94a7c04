package org.corvid.jca.impl.codec;

/**
 * Size limits a decoder enforces before buffering. They are read for every command, so a session can
 * raise them after authentication.
 */
public interface CodecLimits {
    /** Longest command line in bytes, without CRLF (for tagged protocols: each line between literals). */
    int maxLineLength();

    /** Largest single literal in bytes. */
    int maxLiteralSize();

    /** Largest whole command (all lines and literals) in bytes. */
    long maxCommandSize();
}
