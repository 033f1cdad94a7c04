package org.corvid.jca.impl.codec;

/**
 * A command the decoder could not accept. The connection stays usable: the session answers it in order
 * with the protocol's error (IMAP/MUPDATE tagged {@code BAD}, LMTP {@code 500}, POP3 {@code -ERR}).
 *
 * @param tag     the tag if one could be read, else null (answered untagged)
 * @param message human-readable reason, safe to send to the client (never echoes the input)
 * @param tooBig  true if a line or literal limit was exceeded (IMAP answers {@code [TOOBIG]})
 */
public record DecodeError(String tag, String message, boolean tooBig) {
}
