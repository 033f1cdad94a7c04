package org.corvid.ejb.backend;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A mailbox ACL in Cyrus's text form, {@code id<TAB>rights<TAB>id<TAB>rights<TAB>...} (RFC 4314 rights
 * {@code lrswipkxtecda}, Cyrus's extra {@code n}), as stored locally and ACTIVATEd at the master.
 */
public final class MailboxAcl {
    /** Every right, as Cyrus grants them to a mailbox's owner. */
    public static final String ALL_RIGHTS = "lrswipkxtecdan";
    /** Cyrus's default ACL for a new top-level (shared) mailbox ({@code defaultacl: anyone lrs}). */
    public static final String SHARED_DEFAULT = "anyone\tlrs\t";

    private final Map<String, String> entries;

    private MailboxAcl(Map<String, String> entries) {
        this.entries = entries;
    }

    public static MailboxAcl parse(String text) {
        Map<String, String> entries = new LinkedHashMap<>();
        String[] parts = text.split("\t", -1);
        for (int i = 0; i + 1 < parts.length; i += 2) {
            if (!parts[i].isEmpty()) {
                entries.put(parts[i], parts[i + 1]);
            }
        }
        return new MailboxAcl(entries);
    }

    /** The ACL of a user's own mailboxes: the owner with every right. */
    public static String ownedBy(String user) {
        return user + "\t" + ALL_RIGHTS + "\t";
    }

    /** The rights {@code user} has: its own entry and {@code anyone}'s, minus negative ({@code -id}) entries. */
    public String rightsOf(String user) {
        StringBuilder rights = new StringBuilder();
        for (String id : new String[] {user, "anyone"}) {
            String r = entries.get(id);
            if (r != null) {
                r.chars().filter(ch -> rights.indexOf(String.valueOf((char) ch)) < 0).forEach(ch -> rights.append((char) ch));
            }
        }
        for (String id : new String[] {"-" + user, "-anyone"}) {
            String r = entries.get(id);
            if (r != null) {
                r.chars().forEach(ch -> {
                    int at = rights.indexOf(String.valueOf((char) ch));
                    if (at >= 0) {
                        rights.deleteCharAt(at);
                    }
                });
            }
        }
        return rights.toString();
    }

    public boolean allows(String user, char right) {
        return rightsOf(user).indexOf(right) >= 0;
    }

    /** Cyrus's text form. */
    public String text() {
        StringBuilder b = new StringBuilder();
        entries.forEach((id, r) -> b.append(id).append('\t').append(r).append('\t'));
        return b.toString();
    }
}
