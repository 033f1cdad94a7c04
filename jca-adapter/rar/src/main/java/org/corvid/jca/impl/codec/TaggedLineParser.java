package org.corvid.jca.impl.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

import org.corvid.jca.api.Value;

/**
 * Lexer for one line of an IMAP / MUPDATE command (the bytes between two CRLFs, or between a literal and
 * the next CRLF). It knows the grammar; {@link TaggedRequestDecoder} knows framing, literals and limits.
 *
 * <p>Parenthesised lists may span several lines (a literal can sit inside a list), so the caller owns the
 * stack of open lists and passes it to {@link #arguments}. Quoted strings, atoms and section specs never
 * span lines.
 */
final class TaggedLineParser {

    /** Deepest nesting of parenthesised lists accepted. */
    static final int MAX_LIST_DEPTH = 32;
    /** Most digits accepted in a literal size: enough for any int-sized limit, safe from overflow. */
    static final int MAX_LITERAL_DIGITS = 10;

    private final byte[] line;
    private int pos;

    TaggedLineParser(byte[] line) {
        this.line = line;
    }

    /** A literal announced at the end of a line: {@code {n}}, {@code {n+}} or {@code ~{n}}. */
    record LiteralMarker(long size, boolean sync) {

        /**
         * The literal announced by the last bytes of {@code bytes[0, length)} (a trailing CR is ignored),
         * or null. Used to recognise literals the client will send on lines the decoder rejects or skips.
         */
        static LiteralMarker trailing(byte[] bytes, int length) {
            int end = length;
            if (end > 0 && bytes[end - 1] == Lines.CR) {
                end--;
            }
            if (end == 0 || bytes[end - 1] != '}') {
                return null;
            }
            end--;
            boolean sync = true;
            if (end > 0 && bytes[end - 1] == '+') {
                sync = false;
                end--;
            }
            int digitsEnd = end;
            while (end > 0 && isDigit(bytes[end - 1])) {
                end--;
            }
            int digits = digitsEnd - end;
            if (digits == 0 || digits > MAX_LITERAL_DIGITS || end == 0 || bytes[end - 1] != '{') {
                return null;
            }
            return new LiteralMarker(parseDigits(bytes, end, digitsEnd), sync);
        }
    }

    /** A syntax error in the line; cheap (no stack trace) because hostile input triggers it at will. */
    static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;

        private final boolean tooBig;

        SyntaxError(String message) {
            this(message, false);
        }

        SyntaxError(String message, boolean tooBig) {
            super(message, null, false, false);
            this.tooBig = tooBig;
        }

        boolean tooBig() {
            return tooBig;
        }
    }

    /** True if the line holds nothing but spaces (clients send empty lines; they are ignored). */
    static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ') {
                return false;
            }
        }
        return true;
    }

    /**
     * The tag at the start of {@code bytes} if it is complete (followed by a space), else null. Used for
     * lines too long to parse, of which only the first bytes are looked at.
     */
    static String leadingTag(byte[] bytes) {
        TaggedLineParser parser = new TaggedLineParser(bytes);
        try {
            String tag = parser.tag();
            return parser.pos < bytes.length ? tag : null;
        } catch (SyntaxError e) {
            return null;
        }
    }

    /** Reads the tag (leading spaces tolerated); it must be followed by a space or the line end. */
    String tag() throws SyntaxError {
        skipSpaces();
        int start = pos;
        while (pos < line.length && isTagChar(line[pos])) {
            pos++;
        }
        if (pos == start || pos < line.length && line[pos] != ' ') {
            throw new SyntaxError("Invalid tag");
        }
        return ascii(start, pos);
    }

    /** Reads the command name after the tag, upper-cased. */
    String commandName() throws SyntaxError {
        skipSpaces();
        if (pos == line.length) {
            throw new SyntaxError("Missing command name");
        }
        int start = pos;
        while (pos < line.length && isAtomChar(line[pos])) {
            pos++;
        }
        if (pos == start || pos < line.length && line[pos] != ' ') {
            throw new SyntaxError("Invalid command name");
        }
        return ascii(start, pos).toUpperCase(Locale.ROOT);
    }

    /**
     * Reads arguments up to the end of the line, adding them to the innermost open list ({@code lists}
     * holds the open lists, innermost first; the outermost is the argument list itself). Every call starts
     * right after a token (the command name or a literal), so the first argument needs a separator.
     *
     * @return the literal announced at the end of the line, or null if the command is complete
     */
    LiteralMarker arguments(Deque<List<Value>> lists) throws SyntaxError {
        boolean needSpace = true;
        while (pos < line.length) {
            byte b = line[pos];
            if (b == ' ') {
                pos++;
                needSpace = false;
                continue;
            }
            if (b == ')') {
                closeList(lists);
                needSpace = true;
                continue;
            }
            checkPrintable(b);
            if (needSpace) {
                throw new SyntaxError("Missing space between arguments");
            }
            if (b == '(') {
                openList(lists);
                continue; // the first item of a list follows "(" directly
            }
            if (b == '{' || b == '~' && pos + 1 < line.length && line[pos + 1] == '{') {
                return literalMarker();
            }
            lists.peek().add(b == '"' ? new Value.Quoted(quoted()) : atom());
            needSpace = true;
        }
        if (lists.size() > 1) {
            throw new SyntaxError("Unbalanced parenthesis");
        }
        return null;
    }

    private void openList(Deque<List<Value>> lists) throws SyntaxError {
        // lists includes the argument list itself, which is not a nesting level
        if (lists.size() > MAX_LIST_DEPTH) {
            throw new SyntaxError("Lists nested too deeply");
        }
        lists.push(new ArrayList<>());
        pos++;
    }

    private void closeList(Deque<List<Value>> lists) throws SyntaxError {
        if (lists.size() == 1) {
            throw new SyntaxError("Unbalanced parenthesis");
        }
        List<Value> items = lists.pop();
        lists.peek().add(new Value.ListValue(items));
        pos++;
    }

    /** {@code {n}}, {@code {n+}}, optionally prefixed by {@code ~} (literal8); must end the line. */
    private LiteralMarker literalMarker() throws SyntaxError {
        if (line[pos] == '~') {
            pos++;
        }
        pos++; // '{'
        int start = pos;
        while (pos < line.length && isDigit(line[pos])) {
            pos++;
        }
        int digits = pos - start;
        if (digits == 0 || digits > MAX_LITERAL_DIGITS) {
            throw new SyntaxError("Invalid literal size");
        }
        long size = parseDigits(line, start, pos);
        boolean sync = true;
        if (pos < line.length && line[pos] == '+') {
            sync = false;
            pos++;
        }
        if (pos == line.length || line[pos] != '}') {
            throw new SyntaxError("Invalid literal size");
        }
        pos++;
        if (pos != line.length) {
            throw new SyntaxError("Literal must end the line");
        }
        return new LiteralMarker(size, sync);
    }

    /** A quoted string, unescaped and decoded as UTF-8. {@code pos} is at the opening quote. */
    private String quoted() throws SyntaxError {
        pos++;
        byte[] text = new byte[line.length - pos];
        int length = 0;
        while (true) {
            if (pos == line.length) {
                throw new SyntaxError("Unterminated quoted string");
            }
            byte b = line[pos++];
            if (b == '"') {
                return new String(text, 0, length, StandardCharsets.UTF_8);
            }
            if (b == '\\') {
                if (pos == line.length) {
                    throw new SyntaxError("Unterminated quoted string");
                }
                b = line[pos++];
                if (b != '"' && b != '\\') {
                    throw new SyntaxError("Invalid escape in quoted string");
                }
            } else if (b == Lines.CR || b == Lines.LF) {
                throw new SyntaxError("Line break in quoted string");
            } else if (b == 0) {
                throw new SyntaxError("NUL byte in command");
            }
            text[length++] = b;
        }
    }

    /**
     * An atom, which may contain section specs: a {@code [} opens a section running to the matching
     * {@code ]} that may hold spaces, lists and quoted strings ({@code BODY.PEEK[HEADER.FIELDS (TO)]<0.9>}).
     * The atom keeps its exact text; a bare {@code NIL} (any case) is {@link Value.Nil#NIL}.
     */
    private Value atom() throws SyntaxError {
        int start = pos;
        while (pos < line.length) {
            byte b = line[pos];
            if (b == '[') {
                skipSection();
            } else if (isArgumentAtomChar(b)) {
                pos++;
            } else {
                break;
            }
        }
        if (pos == start) {
            throw new SyntaxError("Invalid character in command");
        }
        String text = ascii(start, pos);
        return text.equalsIgnoreCase("NIL") ? Value.Nil.NIL : new Value.Atom(text);
    }

    private void skipSection() throws SyntaxError {
        int depth = 0;
        while (pos < line.length) {
            byte b = line[pos];
            if (b == '"') {
                quoted(); // validated, kept verbatim in the atom's text
                continue;
            }
            checkPrintable(b);
            pos++;
            if (b == '[') {
                depth++;
            } else if (b == ']' && --depth == 0) {
                return;
            }
        }
        throw new SyntaxError("Unterminated section");
    }

    /** Rejects control characters and 8-bit bytes, allowed only inside quoted strings and literals. */
    private static void checkPrintable(byte b) throws SyntaxError {
        if (b == 0) {
            throw new SyntaxError("NUL byte in command");
        }
        if (b < 0) {
            throw new SyntaxError("8-bit character outside quoted string");
        }
        if (b < 0x20 || b == 0x7f) {
            throw new SyntaxError("Control character in command");
        }
    }

    private void skipSpaces() {
        while (pos < line.length && line[pos] == ' ') {
            pos++;
        }
    }

    private String ascii(int start, int end) {
        return new String(line, start, end - start, StandardCharsets.US_ASCII);
    }

    /** Visible ASCII, excluding SP and CTL (and 8-bit, negative as a byte). */
    private static boolean isVisible(byte b) {
        return b > 0x20 && b < 0x7f;
    }

    /** Argument atoms: any CHAR but SP, CTL, {@code ( ) { "}; list wildcards, {@code \} and {@code ]} allowed. */
    private static boolean isArgumentAtomChar(byte b) {
        return isVisible(b) && b != '(' && b != ')' && b != '{' && b != '"' && b != '[';
    }

    /** RFC 9051 ATOM-CHAR: no list wildcards, quoted-specials or resp-specials. */
    private static boolean isAtomChar(byte b) {
        return isArgumentAtomChar(b) && b != '%' && b != '*' && b != '\\' && b != ']';
    }

    /** RFC 9051 tag: ASTRING-CHAR except {@code +}. */
    private static boolean isTagChar(byte b) {
        return (isAtomChar(b) || b == ']' || b == '[') && b != '+';
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static long parseDigits(byte[] bytes, int start, int end) {
        long value = 0;
        for (int i = start; i < end; i++) {
            value = value * 10 + (bytes[i] - '0');
        }
        return value;
    }
}
