package org.corvid.ejb.imap;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FETCH sections (RFC 9051 6.4.5): {@code HEADER}, {@code TEXT}, {@code HEADER.FIELDS[.NOT] (...)}, and with part
 * numbers {@code 1}, {@code 1.2}, {@code 2.MIME}, {@code 3.HEADER}, {@code 3.TEXT} — walking multipart bodies by
 * their boundary and into message/rfc822 parts. A section is located as a byte range of the message by reading
 * it line by line, holding only entity headers, so a section of a large message is never read whole; a part
 * that does not exist is an empty range.
 */
final class MimeSections {
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary\\s*=\\s*(?:\"([^\"]+)\"|([^;\\s]+))");
    /** Header bytes kept per entity (for its Content-Type and HEADER.FIELDS); a larger header is cut there. */
    private static final int MAX_HEADER = 1024 * 1024;
    private static final Range EMPTY = new Range(0, 0, null);

    private MimeSections() {
    }

    /** Opens the message positioned at a byte offset. */
    interface Source {
        InputStream from(long offset) throws IOException;
    }

    /**
     * Bytes {@code [start, end)} of the message; when {@code fields} is set ({@code HEADER.FIELDS ...}) they are
     * a header block whose named fields make the section.
     */
    record Range(long start, long end, String fields) {
        long length() {
            return end - start;
        }
    }

    /** The bytes of {@code section} of the message held in {@code message}. */
    static byte[] resolve(byte[] message, String section) {
        Source source = offset -> new ByteArrayInputStream(message, (int) offset, message.length - (int) offset);
        try {
            return read(source, locate(source, message.length, section));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of a located section: for a range without fields the caller may stream it instead. */
    static byte[] read(Source source, Range range) throws IOException {
        byte[] bytes;
        try (InputStream in = source.from(range.start())) {
            bytes = in.readNBytes((int) range.length());
        }
        return range.fields() == null ? bytes : headerFields(bytes, range.fields());
    }

    /** Where {@code section} lies in a message of {@code size} bytes. */
    static Range locate(Source source, long size, String section) throws IOException {
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
        long start = 0;
        long end = size;
        boolean topLevel = true;
        for (int n : path) {
            Entity e = entity(source, start, end);
            String type = e.contentType();
            boolean wholeMessage = topLevel; // a message (not a body part): a single part is its part 1
            if (type.startsWith("message/rfc822") && !topLevel) {
                start = e.bodyStart; // into the encapsulated message
                e = entity(source, start, end);
                type = e.contentType();
                wholeMessage = true;
            }
            if (type.startsWith("multipart/")) {
                Range part = part(source, e, end, n);
                if (part == null) {
                    return EMPTY;
                }
                start = part.start();
                end = part.end();
            } else if (n != 1 || !wholeMessage) {
                return EMPTY;
            }
            topLevel = false;
        }
        if (path.isEmpty()) {
            return within(source, start, end, rest);
        }
        Entity e = entity(source, start, end);
        return switch (rest) {
            case "" -> new Range(e.bodyStart, end, null);
            case "MIME" -> new Range(start, e.bodyStart, null);
            default -> e.contentType().startsWith("message/rfc822") ? within(source, e.bodyStart, end, rest) : EMPTY;
        };
    }

    /** A section without part numbers of the message in {@code [start, end)}: whole, HEADER, TEXT, HEADER.FIELDS. */
    private static Range within(Source source, long start, long end, String section) throws IOException {
        if (section.isEmpty()) {
            return new Range(start, end, null);
        }
        long bodyStart = entity(source, start, end).bodyStart;
        if (section.startsWith("HEADER.FIELDS")) {
            return new Range(start, bodyStart, section);
        }
        return section.equals("HEADER") ? new Range(start, bodyStart, null) : new Range(bodyStart, end, null);
    }

    /** An entity's header (up to {@link #MAX_HEADER} bytes) and where its body starts. */
    private record Entity(byte[] header, long bodyStart) {
        String contentType() {
            String ct = MessageStructure.header(header, "Content-Type");
            return ct == null ? "text/plain" : ct.toLowerCase(Locale.ROOT).trim();
        }
    }

    private static Entity entity(Source source, long start, long end) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        try (Lines lines = new Lines(source.from(start), start, end)) {
            while (lines.next(MAX_HEADER)) {
                if (header.size() + lines.kept < MAX_HEADER) {
                    header.write(lines.line, 0, lines.kept);
                }
                if (lines.blank()) {
                    break;
                }
            }
            return new Entity(header.toByteArray(), lines.position);
        }
    }

    /** Part {@code n} (from 1) of the multipart entity {@code e} ending at {@code end}; null if there is none. */
    private static Range part(Source source, Entity e, long end, int n) throws IOException {
        String contentType = MessageStructure.header(e.header, "Content-Type");
        Matcher m = BOUNDARY.matcher(contentType == null ? "" : contentType);
        if (!m.find() || n < 1) {
            return null;
        }
        byte[] delimiter = ("--" + (m.group(1) != null ? m.group(1) : m.group(2))).getBytes(StandardCharsets.ISO_8859_1);
        int index = 0; // delimiters seen: part k lies between the k-th and the (k+1)-th
        long partStart = -1;
        int previousTerminator = 0;
        try (Lines lines = new Lines(source.from(e.bodyStart), e.bodyStart, end)) {
            while (lines.next(delimiter.length + 2)) {
                if (lines.startsWith(delimiter, 0)) {
                    if (index == n) { // the CRLF before a delimiter belongs to it
                        return new Range(partStart, Math.max(partStart, lines.start - previousTerminator), null);
                    }
                    if (lines.startsWith("--".getBytes(StandardCharsets.ISO_8859_1), delimiter.length)) {
                        return null;
                    }
                    index++;
                    partStart = lines.position;
                }
                previousTerminator = lines.terminator;
            }
        }
        return index == n ? new Range(partStart, end, null) : null; // unterminated: the part runs to the end
    }

    /** The header lines named (or not named) by {@code HEADER.FIELDS[.NOT] (names)}, then the blank line. */
    private static byte[] headerFields(byte[] header, String section) {
        boolean not = section.startsWith("HEADER.FIELDS.NOT");
        Set<String> names = new HashSet<>();
        for (String n : section.substring(section.indexOf('(') + 1, section.lastIndexOf(')')).split(" ")) {
            if (!n.isBlank()) {
                names.add(n.replace("\"", "").toUpperCase(Locale.ROOT));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean keep = false;
        int start = 0;
        for (int i = 0; i < header.length; i++) {
            if (header[i] != '\n') {
                continue;
            }
            String line = new String(header, start, i + 1 - start, StandardCharsets.ISO_8859_1);
            if (line.isBlank()) {
                break;
            }
            if (line.charAt(0) != ' ' && line.charAt(0) != '\t') { // a new field; else a folded continuation
                int colon = line.indexOf(':');
                String name = colon < 0 ? "" : line.substring(0, colon).trim().toUpperCase(Locale.ROOT);
                keep = names.contains(name) != not;
            }
            if (keep) {
                out.write(header, start, i + 1 - start);
            }
            start = i + 1;
        }
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Reads {@code [start, end)} line by line, keeping the first bytes of each line and counting positions. */
    private static final class Lines implements AutoCloseable {
        private final InputStream in;
        private final byte[] buffer = new byte[64 * 1024];
        private int at;
        private int filled;
        private final long end;
        long position;
        long start;         // where the current line starts
        byte[] line = new byte[256];
        int kept;           // bytes of the current line in {@code line} (terminator included if kept)
        int length;         // the current line's length without its terminator
        int terminator;     // 2 (CRLF), 1 (LF) or 0 (end of data)

        Lines(InputStream in, long start, long end) {
            this.in = in;
            this.position = start;
            this.end = end;
        }

        /** Reads the next line, keeping at most {@code keep} bytes of it; false at the end. */
        boolean next(int keep) throws IOException {
            if (position >= end) {
                return false;
            }
            start = position;
            kept = 0;
            int total = 0;
            boolean cr = false;
            terminator = 0;
            while (position < end) {
                if (at == filled) {
                    filled = in.read(buffer, 0, (int) Math.min(buffer.length, end - position));
                    at = 0;
                    if (filled <= 0) {
                        filled = 0;
                        position = end; // the file is shorter than recorded: stop here
                        break;
                    }
                }
                byte b = buffer[at++];
                position++;
                total++;
                if (kept < keep) {
                    if (kept == line.length) {
                        line = java.util.Arrays.copyOf(line, Math.min(keep, line.length * 2));
                    }
                    line[kept++] = b;
                }
                if (b == '\n') {
                    terminator = cr ? 2 : 1;
                    break;
                }
                cr = b == '\r';
            }
            length = total - terminator;
            return true;
        }

        boolean blank() {
            return length == 0;
        }

        boolean startsWith(byte[] prefix, int from) {
            if (from + prefix.length > Math.min(kept, length)) {
                return false;
            }
            for (int k = 0; k < prefix.length; k++) {
                if (line[from + k] != prefix[k]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
