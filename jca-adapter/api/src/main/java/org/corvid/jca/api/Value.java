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
