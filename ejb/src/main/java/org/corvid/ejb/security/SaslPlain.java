package org.corvid.ejb.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** The SASL PLAIN message (RFC 4616): {@code [authzid] NUL authcid NUL passwd}, base64 on the wire. */
public record SaslPlain(String authzid, String authcid, String password) {

    /**
     * Decodes a client response as IMAP/MUPDATE/POP3/LMTP carry it ({@code =} stands for an empty response).
     *
     * @throws IllegalArgumentException if it is not base64 or not three NUL-separated fields
     */
    public static SaslPlain decode(String base64) {
        byte[] raw = "=".equals(base64) ? new byte[0] : Base64.getDecoder().decode(base64.trim());
        String text = new String(raw, StandardCharsets.UTF_8);
        int first = text.indexOf('\0');
        int second = first < 0 ? -1 : text.indexOf('\0', first + 1);
        if (first < 0 || second < 0 || text.indexOf('\0', second + 1) >= 0) {
            throw new IllegalArgumentException("not a SASL PLAIN message");
        }
        return new SaslPlain(text.substring(0, first), text.substring(first + 1, second), text.substring(second + 1));
    }
}
