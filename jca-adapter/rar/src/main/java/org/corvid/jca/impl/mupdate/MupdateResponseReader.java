package org.corvid.jca.impl.mupdate;

import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads MUPDATE server responses (RFC 3656 section 3) from a stream: strings as atoms, quoted strings or
 * literals ({@code {n}} and {@code {n+}}, which Cyrus uses for every record field). Atoms and lines are
 * bounded by {@code maxLine}, literals by {@code maxLiteral}; anything else is a {@link ProtocolException}.
 */
final class MupdateResponseReader {
    private final java.io.BufferedInputStream in;
    private final int maxLine;
    private final int maxLiteral;
    private final byte[] buf;

    MupdateResponseReader(java.io.BufferedInputStream in, int maxLine, int maxLiteral) {
        this.in = in;
        this.maxLine = maxLine;
        this.maxLiteral = maxLiteral;
        this.buf = new byte[maxLine];
    }

    MupdateResponse next() throws IOException {
        String tag = word();
        if (last != ' ') {
            throw new ProtocolException("response without keyword: " + tag);
        }
        String keyword = word().toUpperCase(Locale.ROOT);
        if ("*".equals(tag)) {
            return new MupdateResponse(tag, keyword, List.of(last == ' ' ? restOfLine() : ""));
        }
        if ("OK".equals(keyword) || "NO".equals(keyword) || "BAD".equals(keyword)) {
            return new MupdateResponse(tag, keyword, List.of(last == ' ' ? unquote(restOfLine()) : ""));
        }
        List<String> args = new ArrayList<>(3);
        while (last == ' ') {
            args.add(string());
        }
        return new MupdateResponse(tag, keyword, args);
    }

    /** The delimiter that ended the last item: ' ' or '\n'. */
    private int last;

    /** An atom up to SP or CRLF. */
    private String word() throws IOException {
        int n = 0;
        while (true) {
            int b = read();
            if (b == ' ' || b == '\n') {
                last = b;
                if (b == '\n' && n > 0 && buf[n - 1] == '\r') {
                    n--;
                }
                return new String(buf, 0, n, StandardCharsets.UTF_8);
            }
            put(n++, b);
        }
    }

    private String restOfLine() throws IOException {
        int n = 0;
        int b;
        while ((b = read()) != '\n') {
            put(n++, b);
        }
        last = '\n';
        return new String(buf, 0, n > 0 && buf[n - 1] == '\r' ? n - 1 : n, StandardCharsets.UTF_8);
    }

    private String string() throws IOException {
        in.mark(1);
        int first = read();
        if (first == '"') {
            int n = 0;
            int b;
            while ((b = read()) != '"') {
                if (b == '\\') {
                    b = read();
                }
                if (b == '\r' || b == '\n') {
                    throw new ProtocolException("unterminated quoted string");
                }
                put(n++, b);
            }
            String s = new String(buf, 0, n, StandardCharsets.UTF_8);
            delimiter();
            return s;
        }
        if (first == '{') {
            String spec = word0('}');
            int size;
            try {
                size = Integer.parseInt(spec.endsWith("+") ? spec.substring(0, spec.length() - 1) : spec);
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad literal {" + spec + "}");
            }
            if (size < 0 || size > maxLiteral) {
                throw new ProtocolException("literal of " + size + " bytes exceeds " + maxLiteral);
            }
            if (read() != '\r' || read() != '\n') {
                throw new ProtocolException("literal not followed by CRLF");
            }
            byte[] data = in.readNBytes(size);
            if (data.length < size) {
                throw new java.io.EOFException("connection closed inside a literal");
            }
            delimiter();
            return new String(data, StandardCharsets.UTF_8);
        }
        in.reset();
        return word();
    }

    /** Reads up to {@code end} (exclusive). */
    private String word0(char end) throws IOException {
        int n = 0;
        int b;
        while ((b = read()) != end) {
            if (b == '\r' || b == '\n' || n > 12) {
                throw new ProtocolException("bad literal");
            }
            put(n++, b);
        }
        return new String(buf, 0, n, StandardCharsets.US_ASCII);
    }

    /** After a quoted string or literal: SP, or CRLF ending the response. */
    private void delimiter() throws IOException {
        int b = read();
        if (b == '\r') {
            b = read();
        }
        if (b != ' ' && b != '\n') {
            throw new ProtocolException("unexpected '" + (char) b + "' after a string");
        }
        last = b;
    }

    private void put(int i, int b) throws ProtocolException {
        if (i >= maxLine) {
            throw new ProtocolException("response line longer than " + maxLine + " bytes");
        }
        buf[i] = (byte) b;
    }

    private int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new java.io.EOFException("connection closed by the MUPDATE server");
        }
        return b;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"' ? s.substring(1, s.length() - 1) : s;
    }
}
