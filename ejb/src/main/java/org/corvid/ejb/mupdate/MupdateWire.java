package org.corvid.ejb.mupdate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.corvid.persistence.mupdate.MailboxState;

/**
 * MUPDATE response records as Cyrus writes and parses them: every string but the last a {@code {n+}} literal,
 * the last one raw, one wire line per element of the returned lists.
 */
final class MupdateWire {
    private MupdateWire() {
    }

    private static String literal(String s) {
        return "{" + s.getBytes(StandardCharsets.UTF_8).length + "+}";
    }

    /** {@code tag MAILBOX name location acl} for an active entry, {@code tag RESERVE name location} otherwise. */
    static List<String> record(String tag, MupdateRecord r) {
        if (r.state() == MailboxState.ACTIVE) {
            return List.of(tag + " MAILBOX " + literal(r.name()),
                    r.name() + " " + literal(r.location()),
                    r.location() + " " + literal(r.acl()),
                    r.acl());
        }
        return List.of(tag + " RESERVE " + literal(r.name()),
                r.name() + " " + literal(r.location()),
                r.location());
    }

    /** {@code tag DELETE name}. */
    static List<String> delete(String tag, String name) {
        return List.of(tag + " DELETE " + literal(name), name);
    }

    /** A record's lines as one write, so nothing can land between them. */
    static String asOneWrite(List<String> lines) {
        return String.join("\r\n", lines);
    }

    static List<String> change(String tag, MupdateChange c) {
        return c.current() == null ? delete(tag, c.name()) : record(tag, c.current());
    }
}
