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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.corvid.ejb.backend.MailboxAcl;
import org.corvid.ejb.backend.MailboxManager;
import org.corvid.ejb.backend.MailboxManager.Outcome;
import org.corvid.ejb.backend.MailboxNames;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.ejb.move.MoveJobs;
import org.corvid.ejb.move.MoveRunner;
import org.corvid.persistence.mailstore.MoveJob;
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
    private static final Set<String> STATUS_ITEMS = Set.of("MESSAGES", "UNSEEN", "SIZE", "DELETED", "RECENT",
            "UIDNEXT", "UIDVALIDITY", "HIGHESTMODSEQ");

    /** RFC 6154 special uses (and Cyrus's \\Important is not offered). */
    static final List<String> SPECIAL_USES = List.of("\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent",
            "\\Trash");
    private static final Set<String> SELECTION_OPTIONS = Set.of("SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE");
    private static final Set<String> RETURN_OPTIONS = Set.of("SUBSCRIBED", "CHILDREN", "SPECIAL-USE", "STATUS");
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
    private MoveRunner moves;

    @EJB
    private ImapMessages messages;

    @EJB
    private org.corvid.ejb.location.LocationCache locations;

    @EJB
    private org.corvid.ejb.node.NodeConfig node;

    @EJB
    private ImapFrontend frontend;

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
        if (m == null && store.moving(name)) { // a frontend that sees this follows the mailbox
            c.write(r.tag() + " " + org.corvid.ejb.frontend.ImapProxy.MOVING + ", try again");
            return null;
        }
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
        String usage = "CREATE takes a mailbox name, and optionally (USE (special-use attributes)) or a partition";
        String specialUse = null;
        String partition = null;
        if (r.args().size() == 2 && r.args().get(1) instanceof Value.ListValue) { // CREATE name (USE (\Sent)), RFC 6154 3
            specialUse = specialUse(r.args().get(1));
            if (specialUse == null) {
                c.write(r.tag() + " BAD " + usage);
                return;
            }
            if (specialUse.startsWith("?")) {
                c.write(r.tag() + " NO [USEATTR] Unsupported special-use attribute " + specialUse.substring(1));
                return;
            }
        } else if (r.args().size() == 2) { // CREATE name partition: Cyrus, administrators only
            partition = r.string(1);
            if (partition == null || partition.isEmpty()) {
                c.write(r.tag() + " BAD " + usage);
                return;
            }
            if (!caller().admin()) {
                c.write(r.tag() + " NO [NOPERM] Only an administrator may choose a partition");
                return;
            }
            // CREATE name server[!partition] naming this node (a frontend that is also this backend)
            String here = node.serverName();
            if (partition.equalsIgnoreCase(here)) {
                partition = null;
            } else if (partition.regionMatches(true, 0, here + "!", 0, here.length() + 1)) {
                partition = partition.length() > here.length() + 1 ? partition.substring(here.length() + 1) : null;
            }
        } else if (r.args().size() > 2) {
            c.write(r.tag() + " BAD " + usage);
            return;
        }
        String name = mailboxArg(r, c, 0, usage);
        if (name == null) {
            return;
        }
        String parentName = MailboxNames.parentOf(name);
        MailboxStore.Info parent = parentName == null ? null : store.find(parentName); // found once, for both uses
        String acl = aclForNew(name, parent);
        if (acl == null) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        answer(r, c, manager.create(name, partition != null ? partition : MailboxManager.partitionUnder(parent), acl,
                specialUse));
    }

    /**
     * The special-use attributes of {@code (USE (\Sent ...))}, space-separated; {@code "?" + attribute} for one
     * this server does not know; null if the parameter is malformed.
     */
    private static String specialUse(Value v) {
        if (!(v instanceof Value.ListValue p) || p.items().size() != 2 || !"USE".equalsIgnoreCase(p.items().get(0).asString())
                || !(p.items().get(1) instanceof Value.ListValue uses)) {
            return null;
        }
        List<String> attributes = new ArrayList<>();
        for (Value u : uses.items()) {
            String a = u.asString();
            String known = a == null ? null : SPECIAL_USES.stream().filter(a::equalsIgnoreCase).findFirst().orElse(null);
            if (known == null) {
                return "?" + a;
            }
            attributes.add(known);
        }
        return attributes.isEmpty() ? null : String.join(" ", attributes);
    }

    /**
     * The ACL a new mailbox gets, or null if the caller may not create it: the parent's ACL (creating below
     * it needs {@code k} there), the owner's for a user's own new folder or INBOX, Cyrus's shared default for
     * a new top-level name (admins only).
     */
    private String aclForNew(String name) {
        String parentName = MailboxNames.parentOf(name);
        return aclForNew(name, parentName == null ? null : store.find(parentName));
    }

    /** As {@link #aclForNew(String)}, with {@code name}'s parent already looked up (null: none here). */
    private String aclForNew(String name, MailboxStore.Info parent) {
        String owner = MailboxNames.ownerOf(name);
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
        if (r.args().size() == 3) {
            move(r, c, from, to);
        } else if (MailboxNames.isUserInbox(from) || MailboxNames.isUserInbox(to)) {
            // renaming INBOX (moving its messages into a new folder) and renaming users are not built
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

    /**
     * {@code RENAME name name server[!partition]} (admins): the live move of {@code name} (a user's INBOX: the whole
     * user) to another backend, as Cyrus's XFER. The command waits for the move, reporting its progress every
     * {@value #MOVE_PROGRESS_SECONDS} s in untagged OK lines (which keep a frontend's proxy connection alive).
     */
    private void move(TaggedRequest r, Connection c, String from, String to) {
        String where = r.string(2);
        if (!caller().admin()) {
            c.write(r.tag() + " NO [NOPERM] Only administrators move mailboxes between servers");
        } else if (where == null || where.isEmpty() || where.startsWith("!")) {
            c.write(r.tag() + " BAD RENAME's third argument is server[!partition]");
        } else if (!from.equals(to)) {
            c.write(r.tag() + " NO [CANNOT] A move keeps the name: RENAME name name server[!partition]");
        } else {
            int bang = where.indexOf('!');
            String server = bang < 0 ? where : where.substring(0, bang);
            String partition = bang < 0 || bang == where.length() - 1 ? null : where.substring(bang + 1);
            MoveJobs.View job;
            try {
                job = moves.start(from, server, partition, caller().user());
            } catch (MoveRunner.Refused e) {
                c.write(r.tag() + " NO [" + e.code() + "] " + e.getMessage());
                return;
            }
            while (!moves.settled(job.id())) {
                job = moves.await(job.id(), java.time.Duration.ofSeconds(MOVE_PROGRESS_SECONDS));
                if (!moves.settled(job.id())) {
                    long copied = moves.progress(job.id()).map(p -> p[0]).orElse(job.messagesCopied());
                    c.write("* OK Moving " + from + " to " + server + ": " + job.state().name().toLowerCase(java.util.Locale.ROOT)
                            + ", " + copied + " of " + Math.max(copied, job.messagesTotal()) + " messages copied");
                }
            }
            job = moves.await(job.id(), java.time.Duration.ZERO);
            if (job.state() == MoveJob.State.DONE || job.state() == MoveJob.State.SWITCHED) {
                c.write(r.tag() + " OK Completed: " + from + " is now on " + server);
            } else {
                c.write(r.tag() + " NO [UNAVAILABLE] Move failed, the mailbox stays here: " + job.error()
                        + (job.state() == MoveJob.State.ROLLING_BACK ? " (the destination is cleaned up when it can be reached)" : ""));
            }
        }
    }

    private static final int MOVE_PROGRESS_SECONDS = 10;

    public void subscribe(TaggedRequest r, Connection c) {
        String name = onlyMailbox(r, c, "SUBSCRIBE takes a mailbox name");
        if (name == null) {
            return;
        }
        if (store.find(name) == null && elsewhere(name)) { // in the murder, on another backend
            store.subscribe(caller().user(), name);
            c.write(r.tag() + " OK Completed");
        } else if (accessible(r, c, name, 'l') != null) {
            store.subscribe(caller().user(), name);
            c.write(r.tag() + " OK Completed");
        }
    }

    /**
     * True if the master has {@code name} active on another server and the caller may look it up there: a
     * user's subscriptions live with their INBOX, also for mailboxes of other backends (as Cyrus's backends
     * ask the MUPDATE master).
     */
    private boolean elsewhere(String name) {
        try (org.corvid.jca.api.mupdate.MupdateConnection m = master.getConnection()) {
            var e = m.find(name);
            return e.isPresent() && e.get().kind() == org.corvid.jca.api.mupdate.MupdateEntry.Kind.MAILBOX
                    && caller().may(new MailboxStore.Info(name, null, 0, 0, 0, e.get().acl() == null ? "" : e.get().acl(), null), 'l');
        } catch (jakarta.resource.ResourceException e) {
            return false;
        }
    }

    @jakarta.annotation.Resource(lookup = org.corvid.jca.api.mupdate.MupdateConnectionFactory.JNDI_NAME)
    private org.corvid.jca.api.mupdate.MupdateConnectionFactory master;

    public void unsubscribe(TaggedRequest r, Connection c) {
        String name = onlyMailbox(r, c, "UNSUBSCRIBE takes a mailbox name");
        if (name == null) {
            return;
        }
        c.write(r.tag() + (store.unsubscribe(caller().user(), name) ? " OK Completed" : " NO [NONEXISTENT] Not subscribed"));
    }

    /** LIST reference pattern: the mailboxes the caller may see (right {@code l}), with CHILDREN attributes. */
    public void list(TaggedRequest r, Connection c) {
        ListCommand cmd = ListCommand.parse(r.args());
        if (cmd == null) {
            c.write(r.tag() + " BAD LIST takes [(selection options)] reference pattern(s) [RETURN (options)]");
            return;
        }
        if (cmd.patterns().size() == 1 && cmd.patterns().get(0).isEmpty() && cmd.selection().isEmpty()) {
            c.write("* LIST (\\Noselect) \".\" \"\"");
            c.write(r.tag() + " OK Completed");
            return;
        }
        Caller caller = caller();
        MailboxNames names = caller.names();
        TreeMap<String, MailboxStore.Info> visible = new TreeMap<>();
        Map<String, String> remoteServers = new HashMap<>();
        Map<String, String> serverOf = new HashMap<>(); // visible remote mailbox (IMAP name) → its backend
        for (MailboxStore.Info m : listable(remoteServers, caller)) {
            if (caller.may(m, 'l') && (caller.admin() || !isDeleted(m.name()))) {
                visible.put(names.toImap(m.name()), m);
                if (m.partition() == null) {
                    serverOf.put(names.toImap(m.name()), remoteServers.get(m.name()));
                }
            }
        }
        if (!serverOf.isEmpty() && (cmd.selection().contains("SPECIAL-USE") || cmd.returns().contains("SPECIAL-USE"))) {
            // the list has no special use: asked of the backends holding visible mailboxes, only when wanted
            frontend.remoteSpecialUse(c, new TreeSet<>(serverOf.values())).forEach((name, use) ->
                    visible.computeIfPresent(name, (k, m) -> m.partition() != null ? m
                            : new MailboxStore.Info(m.name(), null, 0, 0, 0, m.acl(), use)));
        }
        boolean wantSubscribed = cmd.selection().contains("SUBSCRIBED") || cmd.returns().contains("SUBSCRIBED");
        TreeSet<String> subscribed = new TreeSet<>();
        if (cmd.selection().contains("REMOTE")) {
            frontend.clientTakesReferrals(c);
        }
        if (wantSubscribed) {
            java.util.Set<String> remote = frontend.remoteSubscriptions(c); // on a frontend: kept by the INBOX's backend
            if (remote == ImapFrontend.UNAVAILABLE) {
                c.write(r.tag() + " NO [UNAVAILABLE] Subscriptions unavailable, try again later");
                return;
            }
            if (remote != null) {
                subscribed.addAll(remote);
            } else {
                store.subscriptions(caller.user()).forEach(n -> subscribed.add(names.toImap(n)));
            }
        }
        List<Pattern> matchers = cmd.patterns().stream().map(p -> wildcard(cmd.reference() + p)).toList();
        boolean percent = cmd.patterns().stream().anyMatch(p -> p.indexOf('%') >= 0);
        // name -> attributes, in name order; CHILDINFO for RECURSIVEMATCH parents
        TreeMap<String, List<String>> listed = new TreeMap<>();
        TreeSet<String> childInfo = new TreeSet<>();
        String[] statusItems = cmd.status();
        java.util.NavigableSet<String> candidates = cmd.selection().contains("SUBSCRIBED") ? subscribed : visible.navigableKeySet();
        if (!percent && !cmd.selection().contains("RECURSIVEMATCH")) {
            // no level is ever added above a match: each match is written as it is found (LIST of 1M streams)
            boolean all = cmd.patterns().stream().anyMatch(p -> (cmd.reference() + p).equals("*"));
            for (String name : candidates) {
                MailboxStore.Info m = visible.get(name);
                if ((all || matches(matchers, name))
                        && (!cmd.selection().contains("SPECIAL-USE") || m != null && m.specialUse() != null)) {
                    writeListed(c, caller, name, attributes(name, m, visible, subscribed, wantSubscribed), false, m, statusItems, serverOf);
                }
            }
            c.write(r.tag() + " OK Completed");
            return;
        }
        for (String name : candidates) {
            MailboxStore.Info m = visible.get(name);
            boolean selected = !cmd.selection().contains("SPECIAL-USE") || m != null && m.specialUse() != null;
            if (matches(matchers, name) && selected) {
                listed.put(name, attributes(name, m, visible, subscribed, wantSubscribed));
            }
            // levels above a match that are not listed themselves
            for (String level = MailboxNames.parentOf(name); level != null; level = MailboxNames.parentOf(level)) {
                if (!matches(matchers, level)) {
                    continue;
                }
                if (cmd.selection().contains("RECURSIVEMATCH") && selected) { // a parent with a subscribed child
                    childInfo.add(level);
                    listed.computeIfAbsent(level, l -> attributes(l, visible.get(l), visible, subscribed, wantSubscribed));
                } else if (candidates.contains(level)) {
                    continue;
                } else if (percent && !visible.containsKey(level) && !cmd.selection().contains("SUBSCRIBED")) {
                    listed.put(level, List.of("\\Noselect", "\\HasChildren"));
                }
            }
        }
        listed.forEach((name, attributes) ->
                writeListed(c, caller, name, attributes, childInfo.contains(name), visible.get(name), statusItems, serverOf));
        c.write(r.tag() + " OK Completed");
    }

    /** One {@code * LIST} line, and its {@code * STATUS} line for LIST-STATUS (RFC 5819). */
    private void writeListed(Connection c, Caller caller, String name, List<String> attributes, boolean childInfo,
                             MailboxStore.Info m, String[] statusItems, Map<String, String> serverOf) {
        c.write("* LIST (" + String.join(" ", attributes) + ") \".\" " + astring(name)
                + (childInfo ? " (\"CHILDINFO\" (\"SUBSCRIBED\"))" : ""));
        if (statusItems != null && m != null && m.partition() != null && caller.may(m, 'r')) {
            c.write("* STATUS " + astring(name) + " (" + String.join(" ", statusValues(m, statusItems)) + ")");
        } else if (statusItems != null && m != null && serverOf.containsKey(name)) { // its backend's own STATUS
            frontend.remoteStatus(c, serverOf.get(name), name, statusItems);
        }
    }

    /**
     * A mailbox Cyrus keeps after a delayed delete ({@code DELETED.<name>.<hex>}, Cyrus's {@code deletedprefix},
     * here {@code corvid.deleted-prefix}): in the list with its old ACL, yet shown to admins only, as Cyrus does.
     */
    private static boolean isDeleted(String name) {
        return name.startsWith(System.getProperty("corvid.deleted-prefix", "DELETED") + ".");
    }

    /**
     * The mailboxes LIST considers: this backend's, and on a frontend every other active one in the mailbox list
     * (the location cache: no database, no backend asked). Partition null marks those, whose server goes to
     * {@code remoteServers} (internal name → server).
     */
    private List<MailboxStore.Info> listable(Map<String, String> remoteServers, Caller caller) {
        List<MailboxStore.Info> all = new ArrayList<>(store.all());
        if (node.has(org.corvid.ejb.node.NodeConfig.Role.FRONTEND)) {
            Set<String> here = new HashSet<>();
            all.forEach(m -> here.add(m.name()));
            // only what the caller might see is sorted and kept: rights come from their own ACL entry or anyone's,
            // so an ACL naming neither is skipped without parsing it (a user's LIST among 1M entries)
            locations.forEachMatchingInOrder(rec -> rec.state() == org.corvid.persistence.mupdate.MailboxState.ACTIVE
                    && !here.contains(rec.name()) && (caller.admin() || rec.acl() != null
                    && (rec.acl().contains(caller.user()) || rec.acl().contains("anyone"))), rec -> {
                all.add(new MailboxStore.Info(rec.name(), null, 0, 0, 0, rec.acl() == null ? "" : rec.acl(), null));
                remoteServers.put(rec.name(), rec.server());
            });
        }
        return all;
    }

    private static boolean matches(List<Pattern> matchers, String name) {
        return matchers.stream().anyMatch(p -> p.matcher(name).matches());
    }

    /** \\NonExistent (subscribed but gone), children, \\Subscribed, and the special use. */
    private static List<String> attributes(String name, MailboxStore.Info m, TreeMap<String, MailboxStore.Info> visible,
                                           TreeSet<String> subscribed, boolean wantSubscribed) {
        List<String> a = new ArrayList<>();
        if (m == null) {
            a.add("\\NonExistent");
        }
        a.add(hasChildren(visible.navigableKeySet(), name) ? "\\HasChildren" : "\\HasNoChildren");
        if (wantSubscribed && subscribed.contains(name)) {
            a.add("\\Subscribed");
        }
        if (m != null && m.specialUse() != null) {
            a.add(m.specialUse());
        }
        return a;
    }

    /**
     * The arguments of LIST (RFC 3501, and RFC 5258 LIST-EXTENDED with RFC 6154 SPECIAL-USE and RFC 5819
     * LIST-STATUS): {@code [(selection)] reference pattern|(patterns) [RETURN (options)]}; null if malformed.
     */
    record ListCommand(Set<String> selection, String reference, List<String> patterns, Set<String> returns,
                       List<String> statusItems) {
        String[] status() {
            return statusItems == null ? null : statusItems.toArray(String[]::new);
        }

        static ListCommand parse(List<Value> a) {
            int i = 0;
            Set<String> selection = new HashSet<>();
            if (!a.isEmpty() && a.get(0) instanceof Value.ListValue sel) {
                for (Value v : sel.items()) {
                    String o = v.asString() == null ? "" : v.asString().toUpperCase(Locale.ROOT);
                    if (!SELECTION_OPTIONS.contains(o)) {
                        return null;
                    }
                    selection.add(o);
                }
                if (selection.contains("RECURSIVEMATCH") && !selection.contains("SUBSCRIBED")) {
                    return null; // RFC 5258 3: RECURSIVEMATCH goes with SUBSCRIBED (the only one it applies to here)
                }
                i = 1;
            }
            if (a.size() < i + 2 || a.get(i) instanceof Value.ListValue || a.get(i).asString() == null) {
                return null;
            }
            String reference = a.get(i).asString();
            List<String> patterns = new ArrayList<>();
            if (a.get(i + 1) instanceof Value.ListValue list) {
                for (Value v : list.items()) {
                    if (v.asString() == null) {
                        return null;
                    }
                    patterns.add(v.asString());
                }
            } else if (a.get(i + 1).asString() != null) {
                patterns.add(a.get(i + 1).asString());
            }
            if (patterns.isEmpty()) {
                return null;
            }
            i += 2;
            Set<String> returns = new HashSet<>();
            List<String> statusItems = null;
            if (a.size() == i + 2 && "RETURN".equalsIgnoreCase(a.get(i).asString())
                    && a.get(i + 1) instanceof Value.ListValue ret) {
                for (int k = 0; k < ret.items().size(); k++) {
                    String o = ret.items().get(k).asString() == null ? "" : ret.items().get(k).asString().toUpperCase(Locale.ROOT);
                    if (!RETURN_OPTIONS.contains(o)) {
                        return null;
                    }
                    returns.add(o);
                    if (o.equals("STATUS")) {
                        if (k + 1 >= ret.items().size() || !(ret.items().get(k + 1) instanceof Value.ListValue items)) {
                            return null;
                        }
                        statusItems = new ArrayList<>();
                        for (Value item : items.items()) {
                            String key = item.asString() == null ? "" : item.asString().toUpperCase(Locale.ROOT);
                            if (!STATUS_ITEMS.contains(key)) {
                                return null;
                            }
                            statusItems.add(key);
                        }
                        k++;
                    }
                }
            } else if (a.size() != i) {
                return null;
            }
            return new ListCommand(selection, reference, patterns, returns, statusItems);
        }
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
        List<String> keys = new ArrayList<>();
        for (Value item : items.items()) {
            String key = item.asString() == null ? "" : item.asString().toUpperCase(Locale.ROOT);
            if (!STATUS_ITEMS.contains(key)) {
                c.write(r.tag() + " BAD Unknown STATUS item " + key);
                return;
            }
            keys.add(key);
        }
        List<String> out = statusValues(m, keys.toArray(String[]::new));
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

    /** {@code ITEM value} for each of {@code keys} (all in {@link #STATUS_ITEMS}). */
    private List<String> statusValues(MailboxStore.Info m, String[] keys) {
        long[] counts = messages.counts(m.name(), Arrays.stream(keys).anyMatch(k -> k.equals("UNSEEN") || k.equals("DELETED")));
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            out.add(key + " " + switch (key) {
                case "MESSAGES" -> counts[0];
                case "UNSEEN" -> counts[1];
                case "SIZE" -> counts[2];
                case "DELETED" -> counts[3];
                case "UIDNEXT" -> m.uidNext();
                case "UIDVALIDITY" -> m.uidValidity();
                case "HIGHESTMODSEQ" -> m.highestModseq();
                default -> 0L; // RECENT: \\Recent is not kept (it is gone from IMAP4rev2)
            });
        }
        return out;
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

    private static boolean hasChildren(NavigableSet<String> names, String name) {
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
        return quoted(name);
    }

    /** {@code s} as an IMAP quoted string. */
    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
