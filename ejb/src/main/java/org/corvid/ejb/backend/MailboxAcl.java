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

    /** The entries, identifier → rights, in order. */
    public Map<String, String> entries() {
        return java.util.Collections.unmodifiableMap(entries);
    }

    /**
     * SETACL (RFC 4314 3.1): {@code spec} replaces the identifier's rights, or with a leading {@code +}/{@code -}
     * adds or removes them; empty rights remove the entry. Null if {@code spec} holds an unknown right.
     */
    public MailboxAcl with(String id, String spec) {
        String mode = spec.startsWith("+") || spec.startsWith("-") ? spec.substring(0, 1) : "";
        String rights = spec.substring(mode.length());
        // c and d are the obsolete RFC 2086 rights; Cyrus keeps them in ACLs, so they are accepted as they are
        StringBuilder expanded = new StringBuilder();
        for (char ch : rights.toCharArray()) {
            if (ALL_RIGHTS.indexOf(ch) < 0 && "0123456789".indexOf(ch) < 0) {
                return null;
            }
            expanded.append(ch);
        }
        Map<String, String> next = new LinkedHashMap<>(entries);
        String current = next.getOrDefault(id, "");
        String result = switch (mode) {
            case "+" -> merge(current, expanded.toString());
            case "-" -> current.chars().filter(ch -> expanded.indexOf(String.valueOf((char) ch)) < 0)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            default -> merge("", expanded.toString());
        };
        if (result.isEmpty()) {
            next.remove(id);
        } else {
            next.put(id, result);
        }
        return new MailboxAcl(next);
    }

    /** DELETEACL. */
    public MailboxAcl without(String id) {
        Map<String, String> next = new LinkedHashMap<>(entries);
        next.remove(id);
        return new MailboxAcl(next);
    }

    /** {@code a} then {@code b}'s rights, each once, in Cyrus's canonical order. */
    private static String merge(String a, String b) {
        StringBuilder out = new StringBuilder();
        for (char ch : ALL_RIGHTS.toCharArray()) {
            if (a.indexOf(ch) >= 0 || b.indexOf(ch) >= 0) {
                out.append(ch);
            }
        }
        return out.toString();
    }

    /** Cyrus's text form. */
    public String text() {
        StringBuilder b = new StringBuilder();
        entries.forEach((id, r) -> b.append(id).append('\t').append(r).append('\t'));
        return b.toString();
    }
}
