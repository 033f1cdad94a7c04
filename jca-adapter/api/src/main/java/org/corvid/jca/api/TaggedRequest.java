package org.corvid.jca.api;

import java.util.List;

/**
 * A complete tagged command (IMAP, MUPDATE): {@code tag NAME arg...}; literals already read.
 *
 * @param tag  the client's tag
 * @param name the command name, upper-cased
 * @param args the arguments after the name
 */
public record TaggedRequest(String tag, String name, List<Value> args) {
    public TaggedRequest {
        args = List.copyOf(args);
    }

    /** The {@code i}-th argument as a string (atom, quoted or literal), or null if absent or not a string. */
    public String string(int i) {
        return i < args.size() ? args.get(i).asString() : null;
    }

    /** The same request with one more argument (used for continuation lines). */
    public TaggedRequest with(Value extra) {
        List<Value> all = new java.util.ArrayList<>(args);
        all.add(extra);
        return new TaggedRequest(tag, name, all);
    }
}
