package org.corvid.jca.api.mupdate;

/**
 * One MUPDATE record as a master sends it (RFC 3656 section 3): {@code MAILBOX name location acl},
 * {@code RESERVE name location} or, in an UPDATE stream, {@code DELETE name}.
 *
 * @param kind     what the record says
 * @param name     the mailbox name
 * @param location {@code server!partition}; null for DELETE
 * @param acl      the ACL text ({@code id<TAB>rights<TAB>...}); "" for RESERVE, null for DELETE
 */
public record MupdateEntry(Kind kind, String name, String location, String acl) implements java.io.Serializable {
    public enum Kind { MAILBOX, RESERVE, DELETE }

    /** The server part of the location (before {@code !}), or null for DELETE. */
    public String server() {
        if (location == null) {
            return null;
        }
        int bang = location.indexOf('!');
        return bang < 0 ? location : location.substring(0, bang);
    }
}
