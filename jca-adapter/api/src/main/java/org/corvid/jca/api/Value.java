package org.corvid.jca.api;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** One argument of a tagged command, as the client framed it. */
public sealed interface Value {

    /** The value as a string: atoms, quoted strings and literals (UTF-8); null for NIL and lists. */
    String asString();

    /** An atom, including IMAP's bracketed forms such as {@code BODY[HEADER.FIELDS (TO)]<0.10>}. */
    record Atom(String text) implements Value {
        public String asString() {
            return text;
        }
    }

    /** A quoted string, unescaped. */
    record Quoted(String text) implements Value {
        public String asString() {
            return text;
        }
    }

    /** A literal ({@code {n}} or {@code {n+}}) with its bytes. */
    record Literal(byte[] bytes) implements Value {
        public String asString() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * A literal larger than {@code corvid.literal.spool-threshold} (default 1 MiB), written to a temporary file
     * as it arrived instead of being held in memory (an APPEND of a large message). The adapter deletes the file
     * once the command has been handled; a handler that wants to keep the bytes moves or copies it before.
     * It is not a string: {@link #asString()} is null.
     */
    record SpooledLiteral(java.nio.file.Path file, long size) implements Value {
        public String asString() {
            return null;
        }
    }

    /** A parenthesised list. */
    record ListValue(List<Value> items) implements Value {
        public ListValue {
            items = List.copyOf(items);
        }

        public String asString() {
            return null;
        }
    }

    /** NIL. */
    enum Nil implements Value {
        NIL;

        public String asString() {
            return null;
        }
    }
}
