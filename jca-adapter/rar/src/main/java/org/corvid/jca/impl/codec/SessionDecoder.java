package org.corvid.jca.impl.codec;

/** What a session asks of its decoder (both run on the channel's event loop). */
public interface SessionDecoder {
    /** The next complete line is emitted as a {@link RawLine}, unparsed (a SASL response). */
    void expectRawLine();

    /**
     * The following lines, up to a line with a single {@code .}, are a message: dot-unstuffed and emitted as
     * one {@link MessageData}, at most {@code maxBytes} kept (line protocols only).
     */
    void expectMessage(long maxBytes);

    /** Drops whatever is buffered (STARTTLS: nothing sent in plaintext before the handshake counts). */
    void discardBuffered();
}
