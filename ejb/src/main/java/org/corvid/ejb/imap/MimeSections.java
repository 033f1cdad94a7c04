package org.corvid.ejb.imap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FETCH sections with part numbers (RFC 9051 6.4.5): {@code 1}, {@code 1.2}, {@code 2.MIME},
 * {@code 3.HEADER}, {@code 3.TEXT}, {@code 3.HEADER.FIELDS (...)} — walking multipart bodies by their boundary
 * and into message/rfc822 parts. A part that does not exist gives an empty string.
 */
final class MimeSections {
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary\\s*=\\s*(?:\"([^\"]+)\"|([^;\\s]+))");

    private MimeSections() {
    }

    /** The bytes of {@code section} of {@code message} (sections without part numbers included). */
    static byte[] resolve(byte[] message, String section) {
        int i = 0;
        List<Integer> path = new ArrayList<>();
        while (i < section.length() && Character.isDigit(section.charAt(i))) {
            int j = i;
            while (j < section.length() && Character.isDigit(section.charAt(j))) {
                j++;
            }
            path.add(Integer.parseInt(section.substring(i, j)));
            i = j < section.length() && section.charAt(j) == '.' ? j + 1 : j;
        }
        String rest = section.substring(i);
        if (path.isEmpty()) {
            return ImapMessages.section(message, rest);
        }
        byte[] entity = message; // header + body of the current entity
        boolean topLevel = true;
        for (int n : path) {
            String type = contentType(entity);
            boolean wholeMessage = topLevel; // a message (not a body part): a single part is its part 1
            if (type.startsWith("message/rfc822") && !topLevel) {
                entity = ImapMessages.section(entity, "TEXT"); // into the encapsulated message
                type = contentType(entity);
                wholeMessage = true;
            }
            if (type.startsWith("multipart/")) {
                List<byte[]> parts = parts(entity);
                if (n < 1 || n > parts.size()) {
                    return new byte[0];
                }
                entity = parts.get(n - 1);
            } else if (n != 1 || !wholeMessage) {
                return new byte[0];
            }
            topLevel = false;
        }
        return switch (rest) {
            case "" -> ImapMessages.section(entity, "TEXT");
            case "MIME" -> ImapMessages.section(entity, "HEADER");
            default -> contentType(entity).startsWith("message/rfc822")
                    ? ImapMessages.section(ImapMessages.section(entity, "TEXT"), rest) : new byte[0];
        };
    }

    private static String contentType(byte[] entity) {
        String ct = MessageStructure.header(entity, "Content-Type");
        return ct == null ? "text/plain" : ct.toLowerCase(Locale.ROOT).trim();
    }

    /** The raw parts (header and body each) of a multipart entity. */
    private static List<byte[]> parts(byte[] entity) {
        Matcher m = BOUNDARY.matcher(MessageStructure.header(entity, "Content-Type"));
        if (!m.find()) {
            return List.of();
        }
        byte[] delimiter = ("--" + (m.group(1) != null ? m.group(1) : m.group(2))).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] body = ImapMessages.section(entity, "TEXT");
        List<byte[]> parts = new ArrayList<>();
        int partStart = -1;
        int lineStart = 0;
        while (lineStart < body.length) {
            int lineEnd = lineStart;
            while (lineEnd < body.length && body[lineEnd] != '\n') {
                lineEnd++;
            }
            if (startsWith(body, lineStart, delimiter)) {
                boolean last = startsWith(body, lineStart + delimiter.length, "--".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                if (partStart >= 0) {
                    int end = lineStart;           // the CRLF before the delimiter belongs to it
                    if (end > partStart && body[end - 1] == '\n') {
                        end--;
                        if (end > partStart && body[end - 1] == '\r') {
                            end--;
                        }
                    }
                    parts.add(Arrays.copyOfRange(body, partStart, Math.max(partStart, end)));
                }
                if (last) {
                    break;
                }
                partStart = Math.min(body.length, lineEnd + 1);
            }
            lineStart = lineEnd + 1;
        }
        return parts;
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (at + prefix.length > b.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (b[at + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }
}
