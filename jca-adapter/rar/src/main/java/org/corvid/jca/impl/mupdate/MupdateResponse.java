package org.corvid.jca.impl.mupdate;

import java.util.List;

/**
 * One response from a MUPDATE server: {@code tag keyword args...}. For {@code OK}/{@code NO}/{@code BAD} the
 * single argument is the rest of the line, unquoted; for untagged ({@code *}) lines the rest of the line as sent.
 */
record MupdateResponse(String tag, String keyword, List<String> args) {
    boolean untagged() {
        return "*".equals(tag);
    }

    boolean completion() {
        return "OK".equals(keyword) || "NO".equals(keyword) || "BAD".equals(keyword);
    }

    String text() {
        return args.isEmpty() ? "" : args.get(0);
    }
}
