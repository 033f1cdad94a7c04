package org.corvid.ejb.backend;

import java.util.Locale;

/**
 * IMAP mailbox names of one caller ↔ internal names, in the Cyrus namespace with {@code .} as separator: a
 * user's own mailboxes are {@code INBOX} and {@code INBOX.sub} (internally {@code user.<user>} and
 * {@code user.<user>.sub}), other users' are {@code user.<other>...}, shared ones are top-level names. Admins
 * have no INBOX and see every name as it is.
 */
public final class MailboxNames {
    public static final char SEPARATOR = '.';
    private static final String USER_PREFIX = "user.";

    private final String user;
    private final boolean admin;

    public MailboxNames(String user, boolean admin) {
        this.user = user;
        this.admin = admin;
    }

    /** The caller's INBOX, internally; null for an admin. */
    public String inbox() {
        return admin ? null : USER_PREFIX + user;
    }

    /** The internal name for what the client calls {@code imapName}; null if it is not a valid name. */
    public String toInternal(String imapName) {
        if (!valid(imapName)) {
            return null;
        }
        if (!admin) {
            if (imapName.equalsIgnoreCase("INBOX")) {
                return inbox();
            }
            if (imapName.length() > 6 && imapName.substring(0, 6).equalsIgnoreCase("INBOX.")) {
                return inbox() + imapName.substring(5);
            }
        }
        return imapName;
    }

    /** The name the client sees for {@code internal}. */
    public String toImap(String internal) {
        if (!admin) {
            String inbox = inbox();
            if (internal.equals(inbox)) {
                return "INBOX";
            }
            if (internal.startsWith(inbox + SEPARATOR)) {
                return "INBOX" + internal.substring(inbox.length());
            }
        }
        return internal;
    }

    /** The user whose personal hierarchy {@code internal} is in, or null for a shared mailbox. */
    public static String ownerOf(String internal) {
        if (!internal.startsWith(USER_PREFIX)) {
            return null;
        }
        int end = internal.indexOf(SEPARATOR, USER_PREFIX.length());
        return internal.substring(USER_PREFIX.length(), end < 0 ? internal.length() : end);
    }

    /** True for {@code user.<name>} itself (a user's INBOX). */
    public static boolean isUserInbox(String internal) {
        return internal.startsWith(USER_PREFIX) && internal.indexOf(SEPARATOR, USER_PREFIX.length()) < 0
                && internal.length() > USER_PREFIX.length();
    }

    /** The parent's internal name, or null at the top. */
    public static String parentOf(String internal) {
        int dot = internal.lastIndexOf(SEPARATOR);
        return dot < 0 ? null : internal.substring(0, dot);
    }

    /** No empty levels, no wildcards, no controls; not more than 490 bytes (Cyrus's limit is 490). */
    public static boolean valid(String name) {
        if (name == null || name.isEmpty() || name.length() > 490 || name.charAt(0) == SEPARATOR
                || name.charAt(name.length() - 1) == SEPARATOR || name.contains("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < 0x20 || ch == 0x7f || ch == '%' || ch == '*' || ch > 0x7e) {
                return false; // modified UTF-7 is ASCII
            }
        }
        return !name.toLowerCase(Locale.ROOT).equals("user");
    }
}
