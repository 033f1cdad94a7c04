package org.corvid.ejb.imap;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.corvid.ejb.backend.MessageStore;
import org.corvid.ejb.backend.SequenceSet;
import org.corvid.jca.api.Value;

/**
 * An IMAP SEARCH program (RFC 9051 6.4.4): keys combined by AND, {@code OR}, {@code NOT} and parentheses;
 * flag keys, sizes, internal and sent dates, UID and message-number sets, and substring matches in header
 * fields, the body and the whole text (case-insensitive, UTF-8). Compiled once, evaluated per message.
 */
final class SearchQuery {
    /**
     * What a key looks at: the message, its number, its header block and its bytes (each read only if a key
     * needs it).
     */
    record Candidate(MessageStore.Info message, int number, Supplier<byte[]> header, MimeSections.Source file) {
    }

    interface Key {
        boolean matches(Candidate c);
    }

    /** A parsed program; {@code usesModseq} if it has a MODSEQ key (RFC 7162: the answer then ends with the highest MODSEQ). */
    record Program(Key key, boolean usesModseq) {
    }

    static final class ParseException extends Exception {
        ParseException(String message) {
            super(message);
        }
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("d-MMM-yyyy", Locale.ROOT);
    private final List<Value> args;
    private final long largestNumber;
    private final long largestUid;
    private int pos;
    private final boolean[] usesModseq;

    private SearchQuery(List<Value> args, long largestNumber, long largestUid, boolean[] usesModseq) {
        this.usesModseq = usesModseq;
        this.args = args;
        this.largestNumber = largestNumber;
        this.largestUid = largestUid;
    }

    /** Parses the arguments of SEARCH (an optional {@code CHARSET UTF-8} first). */
    static Program parse(List<Value> args, long largestNumber, long largestUid) throws ParseException {
        SearchQuery q = new SearchQuery(args, largestNumber, largestUid, new boolean[1]);
        if (!args.isEmpty() && "CHARSET".equalsIgnoreCase(args.get(0).asString())) {
            String charset = args.size() > 1 ? args.get(1).asString() : null;
            if (charset == null || !(charset.equalsIgnoreCase("UTF-8") || charset.equalsIgnoreCase("US-ASCII"))) {
                throw new ParseException("[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
            }
            q.pos = 2;
        }
        List<Key> all = new ArrayList<>();
        while (q.pos < args.size()) {
            all.add(q.key());
        }
        if (all.isEmpty()) {
            throw new ParseException("Missing search key");
        }
        return new Program(c -> all.stream().allMatch(k -> k.matches(c)), q.usesModseq[0]);
    }

    private String next() throws ParseException {
        if (pos >= args.size() || args.get(pos).asString() == null) {
            throw new ParseException("Missing search argument");
        }
        return args.get(pos++).asString();
    }

    private Key key() throws ParseException {
        Value v = args.get(pos++);
        if (v instanceof Value.ListValue list) {
            SearchQuery inner = new SearchQuery(list.items(), largestNumber, largestUid, usesModseq);
            List<Key> keys = new ArrayList<>();
            while (inner.pos < list.items().size()) {
                keys.add(inner.key());
            }
            if (keys.isEmpty()) {
                throw new ParseException("Empty search group");
            }
            return c -> keys.stream().allMatch(k -> k.matches(c));
        }
        String word = v.asString();
        if (word == null) {
            throw new ParseException("Invalid search key");
        }
        switch (word.toUpperCase(Locale.ROOT)) {
            case "ALL": return c -> true;
            case "ANSWERED": return flag("\\Answered", true);
            case "UNANSWERED": return flag("\\Answered", false);
            case "DELETED": return flag("\\Deleted", true);
            case "UNDELETED": return flag("\\Deleted", false);
            case "DRAFT": return flag("\\Draft", true);
            case "UNDRAFT": return flag("\\Draft", false);
            case "FLAGGED": return flag("\\Flagged", true);
            case "UNFLAGGED": return flag("\\Flagged", false);
            case "SEEN": return flag("\\Seen", true);
            case "UNSEEN": return flag("\\Seen", false);
            case "KEYWORD": { String k = next(); return flag(k, true); }
            case "UNKEYWORD": { String k = next(); return flag(k, false); }
            case "NEW": case "RECENT": return c -> false; // \Recent is not kept
            case "OLD": return c -> true;
            case "LARGER": { long n = number(next()); return c -> c.message().size() > n; }
            case "SMALLER": { long n = number(next()); return c -> c.message().size() < n; }
            case "BEFORE": { LocalDate d = date(next()); return c -> internal(c).isBefore(d); }
            case "ON": { LocalDate d = date(next()); return c -> internal(c).isEqual(d); }
            case "SINCE": { LocalDate d = date(next()); return c -> !internal(c).isBefore(d); }
            case "SENTBEFORE": { LocalDate d = date(next()); return c -> sent(c) != null && sent(c).isBefore(d); }
            case "SENTON": { LocalDate d = date(next()); return c -> sent(c) != null && sent(c).isEqual(d); }
            case "SENTSINCE": { LocalDate d = date(next()); return c -> sent(c) != null && !sent(c).isBefore(d); }
            case "SUBJECT": case "FROM": case "TO": case "CC": case "BCC": {
                String field = word.toUpperCase(Locale.ROOT);
                String s = next();
                return c -> contains(header(c, field), s);
            }
            case "HEADER": {
                String field = next();
                String s = next();
                return c -> {
                    String h = header(c, field);
                    return h != null && (s.isEmpty() || contains(h, s));
                };
            }
            case "BODY": { String s = next(); return c -> textContains(c, false, s); }
            case "TEXT": { String s = next(); return c -> textContains(c, true, s); }
            case "UID": {
                SequenceSet set = SequenceSet.parse(next(), largestUid);
                if (set == null) {
                    throw new ParseException("Invalid UID set");
                }
                return c -> set.contains(c.message().uid());
            }
            case "MODSEQ": { // MODSEQ ["/flags/<flag>" all|priv|shared] n: per-flag entries share the message's MODSEQ
                if (pos < args.size() && !(args.get(pos) instanceof Value.Atom)) {
                    next();
                    String type = next().toLowerCase(Locale.ROOT);
                    if (!type.equals("all") && !type.equals("priv") && !type.equals("shared")) {
                        throw new ParseException("Invalid MODSEQ entry type " + type);
                    }
                }
                long n = number(next());
                usesModseq[0] = true;
                return c -> c.message().modseq() >= n;
            }
            case "NOT": { Key k = key(); return c -> !k.matches(c); }
            case "OR": { Key a = key(); Key b = key(); return c -> a.matches(c) || b.matches(c); }
            default: {
                SequenceSet set = SequenceSet.parse(word, largestNumber);
                if (set == null) {
                    throw new ParseException("Unknown search key " + word);
                }
                return c -> set.contains(c.number());
            }
        }
    }

    private static Key flag(String flag, boolean present) {
        return c -> c.message().has(flag) == present;
    }

    private static long number(String s) throws ParseException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ParseException("Invalid number " + s);
        }
    }

    private static LocalDate date(String s) throws ParseException {
        try {
            return LocalDate.parse(s.replace("\"", ""), DATE);
        } catch (DateTimeParseException e) {
            throw new ParseException("Invalid date " + s);
        }
    }

    /** The internal date's day in its own offset (RFC 9051: dates ignore time and timezone). */
    private static LocalDate internal(Candidate c) {
        return c.message().internalDate().toLocalDate();
    }

    private static LocalDate sent(Candidate c) {
        String date = header(c, "DATE");
        if (date == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(date.trim().replaceAll("\\s*\\(.*\\)$", ""),
                    DateTimeFormatter.RFC_1123_DATE_TIME).toLocalDate();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static boolean contains(String haystack, String needle) {
        return haystack != null && haystack.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
    }

    /** The unfolded value of the first header field {@code name}, or null. */
    static String header(Candidate c, String name) {
        return MessageStructure.header(c.header().get(), name);
    }

    /** Messages up to this size are searched in memory; larger ones are streamed. */
    private static final long SEARCH_IN_MEMORY_BYTES = 1024 * 1024;

    /**
     * Whether the message (or its body) contains {@code needle}, ignoring case. A large message is read from its
     * file in chunks (with an overlap so a match across two chunks is found), never whole.
     */
    private static boolean textContains(Candidate c, boolean withHeader, String needle) {
        String n = needle.toLowerCase(Locale.ROOT);
        try (java.io.InputStream bytes = c.file().from(0)) {
            if (c.message().size() <= SEARCH_IN_MEMORY_BYTES) {
                byte[] all = bytes.readAllBytes();
                int from = withHeader ? 0 : MessageStore.headerEnd(all);
                return new String(all, from, all.length - from, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains(n);
            }
            java.io.InputStream buffered = new java.io.BufferedInputStream(bytes, 64 * 1024);
            if (!withHeader) { // past the header's blank line
                for (int b, previous = '\n'; (b = buffered.read()) >= 0; ) { // a leading blank line: no header
                    if (b == '\n' && previous == '\n') {
                        break;
                    }
                    previous = b == '\r' ? previous : b;
                }
            }
            java.io.Reader in = new java.io.InputStreamReader(buffered, StandardCharsets.UTF_8);
            char[] chunk = new char[32 * 1024];
            String carried = "";
            for (int k; (k = in.read(chunk)) > 0; ) {
                String window = carried + new String(chunk, 0, k).toLowerCase(Locale.ROOT);
                if (window.contains(n)) {
                    return true;
                }
                carried = window.substring(Math.max(0, window.length() - n.length() + 1));
            }
            return n.isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
