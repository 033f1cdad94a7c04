package org.corvid.ejb.imap;

import jakarta.annotation.Resource;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.corvid.ejb.backend.MailboxAcl;
import org.corvid.ejb.backend.MailboxManager;
import org.corvid.ejb.backend.MailboxManager.Outcome;
import org.corvid.ejb.backend.MailboxNames;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.SessionState;
import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * The IMAP mailbox commands of a backend (RFC 9051 6.3, CHILDREN, UNSELECT): CREATE, DELETE, RENAME,
 * SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, STATUS, SELECT, EXAMINE, CLOSE, UNSELECT, on this backend's store and
 * in the Cyrus namespace, each list change agreed with the MUPDATE master ({@link MailboxManager}). Rights
 * follow the mailbox's ACL ({@code l} lookup, {@code r} read, {@code k} create below, {@code x} delete);
 * admins ({@code corvid-admin}) may do everything. Runs as the logged-in user.
 */
@Stateless
@PermitAll
@DeclareRoles(Namespaces.ADMIN_ROLE)
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ImapMailboxes {
    private static final Pattern ATOM = Pattern.compile("[A-Za-z0-9.!#&'+,\\-/:;<=>?@^_`|~$]+");

    @Resource
    private SessionContext context;

    private Caller caller() {
        return Caller.of(context);
    }

    @EJB
    private MailboxStore store;

    @EJB
    private MailboxManager manager;

    @EJB
    private ImapMessages messages;

    /** The single mailbox-name argument at {@code i}, internal; null (answered BAD) if missing or malformed. */
    private String mailboxArg(TaggedRequest r, Connection c, int i, String usage) {
        if (r.args().size() <= i || r.args().get(i) instanceof Value.ListValue || r.string(i) == null) {
            c.write(r.tag() + " BAD " + usage);
            return null;
        }
        String imap = r.string(i);
        if (imap.length() > 1 && imap.endsWith(".")) {
            imap = imap.substring(0, imap.length() - 1); // "CREATE foo." creates foo (RFC 9051 6.3.4)
        }
        String internal = caller().names().toInternal(imap);
        if (internal == null) {
            c.write(r.tag() + " NO [CANNOT] Invalid mailbox name");
        }
        return internal;
    }

    /** The only argument of a one-mailbox command, internal; null (answered BAD or NO) otherwise. */
    private String onlyMailbox(TaggedRequest r, Connection c, String usage) {
        if (r.args().size() != 1) {
            c.write(r.tag() + " BAD " + usage);
            return null;
        }
        return mailboxArg(r, c, 0, usage);
    }

    /**
     * The mailbox {@code name} if the caller may see it ({@code l}) and has {@code right} on it; null when
     * answered ({@code NO [NONEXISTENT]} for an unseen mailbox, {@code NO [NOPERM]} without the right).
     */
    private MailboxStore.Info accessible(TaggedRequest r, Connection c, String name, char right) {
        MailboxStore.Info m = store.find(name);
        if (m == null || !caller().may(m, 'l')) {
            c.write(r.tag() + " NO [NONEXISTENT] Mailbox does not exist");
            return null;
        }
        if (!caller().may(m, right)) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return null;
        }
        return m;
    }

    private void answer(TaggedRequest r, Connection c, Outcome o) {
        c.write(r.tag() + " " + o.text());
    }

    public void create(TaggedRequest r, Connection c) {
        if (r.args().size() > 2) {
            c.write(r.tag() + " BAD CREATE takes a mailbox name");
            return;
        }
        String name = mailboxArg(r, c, 0, "CREATE takes a mailbox name");
        if (name == null) {
            return;
        }
        String acl = aclForNew(name);
        if (acl == null) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        answer(r, c, manager.create(name, MailboxManager.DEFAULT_PARTITION, acl));
    }

    /**
     * The ACL a new mailbox gets, or null if the caller may not create it: the parent's ACL (creating below
     * it needs {@code k} there), the owner's for a user's own new folder or INBOX, Cyrus's shared default for
     * a new top-level name (admins only).
     */
    private String aclForNew(String name) {
        String owner = MailboxNames.ownerOf(name);
        String parentName = MailboxNames.parentOf(name);
        MailboxStore.Info parent = parentName == null ? null : store.find(parentName);
        if (parent != null && !MailboxNames.isUserInbox(name)) {
            return caller().may(parent, 'k') || caller().user().equals(owner) ? parent.acl() : null;
        }
        if (owner != null) {
            return caller().admin() || (caller().user().equals(owner) && !MailboxNames.isUserInbox(name)) || name.equals(caller().names().inbox())
                    ? MailboxAcl.ownedBy(owner) : null;
        }
        return caller().admin() ? MailboxAcl.SHARED_DEFAULT : null;
    }

    public void delete(TaggedRequest r, Connection c) {
        String name = onlyMailbox(r, c, "DELETE takes a mailbox name");
        if (name == null) {
            return;
        }
        if (name.equals(caller().names().inbox())) {
            c.write(r.tag() + " NO [CANNOT] INBOX cannot be deleted");
            return;
        }
        if (accessible(r, c, name, 'x') != null) {
            SelectedMailbox view = ImapMessages.selected(c);
            if (view != null && view.name().equals(name)) {
                deselect(c);
            }
            // deleting a user (admin, user.<name>) removes the whole user, as in Cyrus
            answer(r, c, manager.delete(name, MailboxNames.isUserInbox(name)));
        }
    }

    public void rename(TaggedRequest r, Connection c) {
        if (r.args().size() != 2 && r.args().size() != 3) {
            c.write(r.tag() + " BAD RENAME takes two mailbox names");
            return;
        }
        String from = mailboxArg(r, c, 0, "RENAME takes two mailbox names");
        if (from == null) {
            return;
        }
        String to = mailboxArg(r, c, 1, "RENAME takes two mailbox names");
        if (to == null) {
            return;
        }
        MailboxStore.Info m = store.find(from);
        if (r.args().size() == 3 || MailboxNames.isUserInbox(from) || MailboxNames.isUserInbox(to)) {
            // moving a mailbox to another server, renaming INBOX (moving its messages) and renaming users
            // come with the message store and live moves
            c.write(r.tag() + " NO [CANNOT] Not supported on this server yet");
        } else if (m == null || !caller().may(m, 'l')) {
            c.write(r.tag() + " NO [NONEXISTENT] Mailbox does not exist");
        } else if (!caller().may(m, 'x') || aclForNew(to) == null) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
        } else if (to.equals(from) || to.startsWith(from + ".")) {
            c.write(r.tag() + " NO [CANNOT] Cannot rename a mailbox into itself");
        } else {
            answer(r, c, manager.rename(from, to));
        }
    }

    public void subscribe(TaggedRequest r, Connection c) {
        String name = onlyMailbox(r, c, "SUBSCRIBE takes a mailbox name");
        if (name == null) {
            return;
        }
        if (accessible(r, c, name, 'l') != null) {
            store.subscribe(caller().user(), name);
            c.write(r.tag() + " OK Completed");
        }
    }

    public void unsubscribe(TaggedRequest r, Connection c) {
        String name = onlyMailbox(r, c, "UNSUBSCRIBE takes a mailbox name");
        if (name == null) {
            return;
        }
        c.write(r.tag() + (store.unsubscribe(caller().user(), name) ? " OK Completed" : " NO [NONEXISTENT] Not subscribed"));
    }

    /** LIST reference pattern: the mailboxes the caller may see (right {@code l}), with CHILDREN attributes. */
    public void list(TaggedRequest r, Connection c) {
        if (r.args().size() != 2 || r.string(0) == null || r.string(1) == null) {
            c.write(r.tag() + " BAD LIST takes a reference and a pattern");
            return;
        }
        String pattern = r.string(0) + r.string(1);
        if (r.string(1).isEmpty()) {
            c.write("* LIST (\\Noselect) \".\" \"\"");
            c.write(r.tag() + " OK Completed");
            return;
        }
        MailboxNames names = caller().names();
        TreeSet<String> visible = new TreeSet<>();
        for (MailboxStore.Info m : store.all()) {
            if (caller().may(m, 'l')) {
                visible.add(names.toImap(m.name()));
            }
        }
        // names that only exist as levels above visible mailboxes show as \Noselect for '%' patterns
        TreeMap<String, String> listed = new TreeMap<>();
        Pattern matcher = wildcard(pattern);
        for (String name : visible) {
            if (matcher.matcher(name).matches()) {
                listed.put(name, hasChildren(visible, name) ? "\\HasChildren" : "\\HasNoChildren");
            }
            if (pattern.indexOf('%') >= 0) {
                for (String level = MailboxNames.parentOf(name); level != null; level = MailboxNames.parentOf(level)) {
                    if (!visible.contains(level) && matcher.matcher(level).matches()) {
                        listed.put(level, "\\Noselect \\HasChildren");
                    }
                }
            }
        }
        listed.forEach((name, attributes) -> c.write("* LIST (" + attributes + ") \".\" " + astring(name)));
        c.write(r.tag() + " OK Completed");
    }

    /** LSUB reference pattern: the caller's subscriptions; \Noselect for those whose mailbox is gone. */
    public void lsub(TaggedRequest r, Connection c) {
        if (r.args().size() != 2 || r.string(0) == null || r.string(1) == null) {
            c.write(r.tag() + " BAD LSUB takes a reference and a pattern");
            return;
        }
        Pattern matcher = wildcard(r.string(0) + r.string(1));
        MailboxNames names = caller().names();
        for (String internal : store.subscriptions(caller().user())) {
            String name = names.toImap(internal);
            if (matcher.matcher(name).matches()) {
                MailboxStore.Info m = store.find(internal);
                c.write("* LSUB (" + (m == null ? "\\Noselect" : "") + ") \".\" " + astring(name));
            }
        }
        c.write(r.tag() + " OK Completed");
    }

    /** STATUS mailbox (items), from the store. */
    public void status(TaggedRequest r, Connection c) {
        if (r.args().size() != 2 || !(r.args().get(1) instanceof Value.ListValue items) || items.items().isEmpty()) {
            c.write(r.tag() + " BAD STATUS takes a mailbox name and a list of items");
            return;
        }
        String name = mailboxArg(r, c, 0, "STATUS takes a mailbox name and a list of items");
        if (name == null) {
            return;
        }
        MailboxStore.Info m = accessible(r, c, name, 'r');
        if (m == null) {
            return;
        }
        List<String> out = new ArrayList<>();
        long[] counts = messages.counts(name);
        for (Value item : items.items()) {
            String key = item.asString() == null ? "" : item.asString().toUpperCase(Locale.ROOT);
            String value = switch (key) {
                case "MESSAGES" -> String.valueOf(counts[0]);
                case "UNSEEN" -> String.valueOf(counts[1]);
                case "SIZE" -> String.valueOf(counts[2]);
                case "DELETED" -> String.valueOf(counts[3]);
                case "RECENT" -> "0"; // \Recent is not kept (it is gone from IMAP4rev2)
                case "UIDNEXT" -> String.valueOf(m.uidNext());
                case "UIDVALIDITY" -> String.valueOf(m.uidValidity());
                case "HIGHESTMODSEQ" -> String.valueOf(m.highestModseq());
                default -> null;
            };
            if (value == null) {
                c.write(r.tag() + " BAD Unknown STATUS item " + key);
                return;
            }
            out.add(key + " " + value);
        }
        c.write("* STATUS " + astring(caller().names().toImap(name)) + " (" + String.join(" ", out) + ")");
        c.write(r.tag() + " OK Completed");
    }

    /** SELECT (read-write) or EXAMINE (read-only). A failed SELECT leaves no mailbox selected. */
    public void select(TaggedRequest r, Connection c, boolean readOnly) {
        deselect(c);
        String usage = (readOnly ? "EXAMINE" : "SELECT") + " takes a mailbox name and optionally (CONDSTORE)";
        if (r.args().size() == 2) { // SELECT name (CONDSTORE), RFC 7162
            if (!(r.args().get(1) instanceof Value.ListValue params) || params.items().isEmpty()
                    || !params.items().stream().allMatch(p -> "CONDSTORE".equalsIgnoreCase(p.asString()))) {
                c.write(r.tag() + " BAD " + usage);
                return;
            }
            ImapMessages.enableCondstore(c);
        }
        String name = r.args().size() == 2 ? mailboxArg(r, c, 0, usage) : onlyMailbox(r, c, usage);
        if (name == null) {
            return;
        }
        MailboxStore.Info m = accessible(r, c, name, 'r');
        if (m == null) {
            return;
        }
        c.write("* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen)");
        c.write("* OK [PERMANENTFLAGS " + (readOnly ? "()" : "(\\Answered \\Flagged \\Draft \\Deleted \\Seen \\*)") + "] Ok");
        c.write("* " + messages.open(c, name, readOnly).count() + " EXISTS");
        c.write("* 0 RECENT"); // \Recent is not kept (it is gone from IMAP4rev2)
        c.write("* OK [UIDVALIDITY " + m.uidValidity() + "] Ok");
        c.write("* OK [UIDNEXT " + m.uidNext() + "] Ok");
        c.write("* OK [HIGHESTMODSEQ " + m.highestModseq() + "] Ok");
        c.setState(SessionState.SELECTED);
        c.write(r.tag() + " OK [" + (readOnly ? "READ-ONLY" : "READ-WRITE") + "] Completed");
    }

    /** CLOSE (expunges silently first) and UNSELECT. */
    public void close(TaggedRequest r, Connection c) {
        if (!r.args().isEmpty()) {
            c.write(r.tag() + " BAD " + r.name() + " takes no arguments");
            return;
        }
        if (r.name().equalsIgnoreCase("CLOSE")) {
            messages.expunge(r, c, null, true);
        }
        deselect(c);
        c.write(r.tag() + " OK Completed");
    }

    private static void deselect(Connection c) {
        c.attributes().remove(ImapMessages.SELECTED);
        if (c.state() == SessionState.SELECTED) {
            c.setState(SessionState.AUTHENTICATED);
        }
    }

    private static boolean hasChildren(TreeSet<String> names, String name) {
        String child = names.higher(name + ".");
        return child != null && child.startsWith(name + ".");
    }

    /** An IMAP LIST pattern: {@code *} anything, {@code %} anything but the separator; INBOX case-insensitively. */
    static Pattern wildcard(String pattern) {
        StringBuilder re = new StringBuilder();
        String p = pattern;
        if (p.regionMatches(true, 0, "INBOX", 0, 5) && (p.length() == 5 || p.charAt(5) == '.' || p.charAt(5) == '*'
                || p.charAt(5) == '%')) {
            p = "INBOX" + p.substring(5);
        }
        for (char ch : p.toCharArray()) {
            re.append(ch == '*' ? ".*" : ch == '%' ? "[^.]*" : Pattern.quote(String.valueOf(ch)));
        }
        return Pattern.compile(re.toString());
    }

    /** A mailbox name as an atom when it can be one, else a quoted string. */
    static String astring(String name) {
        if (ATOM.matcher(name).matches() && !name.equalsIgnoreCase("NIL")) {
            return name;
        }
        return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
