package org.corvid.jca.api;

/**
 * Protocol state of a connection. IMAP uses all four (RFC 9051 section 3); POP3 maps AUTHORIZATION to
 * {@link #NOT_AUTHENTICATED} and TRANSACTION to {@link #AUTHENTICATED}; MUPDATE uses {@link #SELECTED}
 * for a session that is streaming UPDATEs.
 */
public enum SessionState {
    NOT_AUTHENTICATED,
    AUTHENTICATED,
    SELECTED,
    LOGOUT
}
