package org.corvid.ejb.imap;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.corvid.ejb.backend.MailboxNames;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.ejb.frontend.ImapProxy;
import org.corvid.ejb.frontend.MailboxLocator;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.mupdate.MupdateRecord;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.SessionState;
import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * The IMAP proxy of a frontend: a command naming a mailbox that is not on this node (SELECT, EXAMINE, STATUS,
 * APPEND, DELETE, RENAME, ACL and quota commands; CREATE under such a mailbox) goes to the backend the mailbox list places it on, over the client
 * session's own connection to that backend ({@link ImapProxy}); once a mailbox there is selected, every command
 * of the selected state goes there unchanged, until CLOSE, UNSELECT or the selection of another mailbox.
 * Each method returns false when the command is not for another backend (the caller handles it here).
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ImapFrontend {
    private static final Logger LOG = Logger.getLogger(ImapFrontend.class);
    private static final String BACKENDS = "imap.proxy";
    private static final String REFERRALS = "imap.referrals";
    private static final java.util.Set<String> CHANGES_LIST = java.util.Set.of("DELETE", "RENAME", "SETACL", "DELETEACL");

    @EJB
    private NodeConfig node;

    @EJB
    private MailboxStore mailboxes;

    @EJB
    private MailboxLocator locator;

    @EJB
    private Namespaces namespaces;

    @EJB
    private LocationCache locations;

    @EJB
    private org.corvid.ejb.backend.MessageStore messages;

    @jakarta.annotation.Resource
    private jakarta.ejb.SessionContext context;

    @jakarta.annotation.Resource(lookup = "java:jboss/datasources/CorvidMailstoreDS")
    private javax.sql.DataSource mailstore;

    /** The client session's backend connections (closed with it), and the one its selected mailbox is on. */
    private static final class Backends implements AutoCloseable {
        final Map<String, ImapProxy> byServer = new HashMap<>();
        ImapProxy selected;
        String selectedName; // as the client named it
        boolean readOnly;    // selected with EXAMINE

        boolean closed;

        @Override
        public synchronized void close() {
            closed = true;
            byServer.values().forEach(ImapProxy::close);
            byServer.clear();
            selected = null;
        }
    }

    /**
     * The client logged out (or UNAUTHENTICATEd): the session's backend connections go back to the adapter's
     * pool, each after its own {@code UNAUTHENTICATE} ({@link ImapProxy#release}).
     */
    public void release(Connection c) {
        Backends b = (Backends) c.attributes().get(BACKENDS);
        if (b == null) {
            return;
        }
        List<ImapProxy> proxies;
        synchronized (b) {
            proxies = new java.util.ArrayList<>(b.byServer.values());
            b.byServer.clear();
            b.selected = null;
        }
        proxies.forEach(ImapProxy::release);
    }

    private static Backends backends(Connection c) {
        return (Backends) c.attributes().computeIfAbsent(BACKENDS, k -> new Backends());
    }

    /** SELECT / EXAMINE: of a mailbox on another backend, there; false if it is to be opened here. */
    public boolean select(TaggedRequest r, Connection c) {
        Backends b = (Backends) c.attributes().get(BACKENDS);
        ImapProxy before = b == null ? null : b.selected;
        if (b != null) {
            b.selected = null; // a SELECT ends the previous selection, wherever it was
        }
        Target target = target(r, c, 0);
        if (target.proxy() == null) {
            if (before != null) {
                unselect(before);
            }
            if (before != null && c.state() == SessionState.SELECTED) {
                c.setState(SessionState.AUTHENTICATED); // the local handler selects afresh
            }
            return target.answered();
        }
        ImapProxy there = target.proxy();
        c.attributes().remove(ImapMessages.SELECTED); // a local selection ends too
        if (before != null && before != there) {
            unselect(before); // else its reports (EXISTS...) would reach the client as the new mailbox's
        }
        ImapProxy[] answered = {there};
        String status = forwardFollowingMoves(r, c, answered, 0);
        there = answered[0];
        ImapProxy now = backends(c).byServer.get(there.server());
        there = now != null ? now : there; // forward may have replaced a stale connection
        if ("OK".equals(status)) {
            backends(c).selected = there;
            backends(c).selectedName = r.string(0);
            backends(c).readOnly = "EXAMINE".equals(r.name());
            c.setState(SessionState.SELECTED);
        } else if (c.state() == SessionState.SELECTED) {
            c.setState(SessionState.AUTHENTICATED); // a failed SELECT leaves no mailbox selected
        }
        return true;
    }

    /** ENABLE CONDSTORE from the client: on every backend session it has, too (new ones get it when opened). */
    public void enabled(Connection c) {
        Backends b = (Backends) c.attributes().get(BACKENDS);
        if (b == null) {
            return;
        }
        synchronized (b) {
            for (ImapProxy p : b.byServer.values()) {
                try {
                    enableCondstore(p);
                } catch (IOException e) {
                    LOG.debugf("[%s] ENABLE on %s failed: %s", c.id(), p.server(), e.getMessage());
                }
            }
        }
    }

    private static void enableCondstore(ImapProxy backend) throws IOException {
        backend.call("ENABLE", List.of(new Value.Atom("CONDSTORE")), ImapProxy.Response::discard);
    }

    /** Ends the selection on a backend the client has left (its answer is of no interest to the client). */
    private static void unselect(ImapProxy backend) {
        try {
            backend.call("UNSELECT", List.of(), ImapProxy.Response::discard);
        } catch (IOException e) {
            backend.close(); // reopened at next use
        }
    }

    /** A command of the selected state on a proxied selection; false if the selection is local (or none). */
    public boolean selected(TaggedRequest r, Connection c) {
        Backends b = (Backends) c.attributes().get(BACKENDS);
        if (b == null || b.selected == null) {
            return false;
        }
        String status = forward(r, c, b.selected);
        if (("CLOSE".equals(r.name()) || "UNSELECT".equals(r.name())) && "OK".equals(status)) {
            b.selected = null;
            c.setState(SessionState.AUTHENTICATED);
        }
        return true;
    }

    /**
     * IDLE on a proxied selection: the backend's IDLE, whose reports a worker relays while the client idles
     * (one pooled thread per idling proxied session until the backend client is non-blocking), ended by the
     * client's DONE; false if the selection is local.
     */
    public boolean idle(TaggedRequest r, Connection c) {
        Backends b = (Backends) c.attributes().get(BACKENDS);
        ImapProxy there = b == null ? null : b.selected;
        if (there == null) {
            return false;
        }
        try {
            if (r.args().isEmpty()) {
                if (there.startIdle(r.tag(), c, idleRelays)) {
                    c.continueWith("+ idling");
                }
            } else {
                there.endIdle(); // the relay writes the tagged completion
            }
        } catch (IOException e) {
            LOG.warnf("[%s] IMAP proxy: backend %s failed during IDLE: %s", c.id(), there.server(), e.getMessage());
            there.close();
            c.write("* BYE Backend " + there.server() + " failed");
            c.setState(SessionState.LOGOUT);
            c.close();
        }
        return true;
    }

    @EJB
    private org.corvid.ejb.frontend.IdleRelays idleRelays;

    private static final java.util.regex.Pattern FETCHED = java.util.regex.Pattern.compile(
            "(?s)^\\* \\d+ FETCH .*?UID (\\d+).*");
    private static final java.util.regex.Pattern FLAGS = java.util.regex.Pattern.compile("FLAGS \\(([^)]*)\\)");
    private static final java.util.regex.Pattern DATE = java.util.regex.Pattern.compile("INTERNALDATE \"([^\"]+)\"");
    private static final java.util.regex.Pattern APPENDUID = java.util.regex.Pattern.compile("^OK \\[APPENDUID (\\d+) (\\d+)\\].*");

    /**
     * A message to append on another node: read from a source backend into a temporary file (deleted after the
     * copy), or a spool file of this node's selected mailbox (only read).
     */
    public record Copied(long uid, List<Value> flags, String internalDate, java.nio.file.Path file) {
    }

    /**
     * COPY / MOVE (and their UID forms) from a mailbox selected on one backend to a mailbox on another: each
     * message fetched from the source (UID, flags, internal date, body to a temporary file) and appended to the
     * target on its backend, answered with {@code COPYUID}; a MOVE then expunges the originals, only after every
     * copy was confirmed, and needs the rights {@code t} and {@code e} on the source first. False when the
     * target is on the selection's own backend (the backend copies) or the selection is local.
     */
    public boolean copyAcross(TaggedRequest r, Connection c, boolean byUid, List<Value> args, boolean move) {
        Backends b = (Backends) c.attributes().get(BACKENDS);
        if (b == null || b.selected == null || args.size() != 2 || args.get(0).asString() == null
                || args.get(1).asString() == null) {
            return false;
        }
        String target = new MailboxNames(c.user(), namespaces.callerIsAdmin()).toInternal(args.get(1).asString());
        MupdateRecord rec = target == null ? null : locations.lookup(target);
        boolean here = node.has(NodeConfig.Role.BACKEND) && mailboxes.find(target) != null; // a unified node's own
        if (!here && (rec == null || rec.state() != org.corvid.persistence.mupdate.MailboxState.ACTIVE
                || rec.server().equalsIgnoreCase(b.selected.server()))) {
            return false; // the source backend answers (TRYCREATE, or copies itself)
        }
        Target dest = here ? null : connect(r, c, rec.server());
        if (dest != null && dest.proxy() == null) {
            return true;
        }
        ImapProxy source = b.selected;
        List<Copied> copies = new java.util.ArrayList<>();
        try {
            if (move && b.readOnly) {
                c.write(r.tag() + " NO [READ-ONLY] The mailbox is selected read-only");
                return true;
            }
            if (move && !mayExpunge(source, b.selectedName)) {
                c.write(r.tag() + " NO [NOPERM] Moving needs the rights t and e on the source mailbox");
                return true;
            }
            String fetched = source.call(byUid ? "UID FETCH" : "FETCH", List.of(new Value.Atom(args.get(0).asString()),
                    new Value.ListValue(List.of(new Value.Atom("UID"), new Value.Atom("FLAGS"), new Value.Atom("INTERNALDATE"),
                            new Value.Atom("BODY.PEEK[]")))), resp -> collect(resp, copies, c));
            if (!fetched.startsWith("OK")) {
                c.write(r.tag() + " " + fetched);
                return true;
            }
            if (copies.isEmpty()) {
                c.write(r.tag() + " OK Completed");
                return true;
            }
            String copyuid = here ? appendHere(r, c, target, copies) : appendAll(r, c, dest.proxy(), args.get(1).asString(), copies);
            if (copyuid == null) {
                return true;
            }
            if (!move) {
                c.write(r.tag() + " OK " + copyuid + " Completed");
                return true;
            }
            c.write("* OK " + copyuid + " Copied");
            String from = String.join(",", copies.stream().map(m -> String.valueOf(m.uid())).toList());
            java.util.function.Consumer<ImapProxy.Response> toClient = resp -> writeWhole(resp, c);
            String marked = source.call("UID STORE", List.of(new Value.Atom(from), new Value.Atom("+FLAGS.SILENT"),
                    new Value.ListValue(List.of(new Value.Atom("\\Deleted")))), toClient);
            if (!marked.startsWith("OK")) {
                c.write(r.tag() + " NO Copied, but the originals could not be removed: " + marked);
                return true;
            }
            String expunged = source.call("UID EXPUNGE", List.of(new Value.Atom(from)), toClient);
            c.write(r.tag() + " " + (expunged.startsWith("OK") ? "OK Completed" : expunged));
            return true;
        } catch (IOException e) {
            LOG.warnf("[%s] IMAP proxy: copy between backends failed: %s", c.id(), e.getMessage());
            c.write(r.tag() + " NO [UNAVAILABLE] Copy between backends failed, try again later");
            return true;
        } finally {
            copies.forEach(m -> m.file().toFile().delete());
        }
    }

    /**
     * Appends {@code copies} one by one to {@code mailbox} (as the client named it) on {@code dest}, keeping
     * flags, keywords and internal dates; returns {@code [COPYUID validity source-uids target-uids]}, or null
     * after answering the client the failing append (the copies made before it stay: APPEND has no transaction
     * across messages).
     */
    private static String appendAll(TaggedRequest r, Connection c, ImapProxy dest, String mailbox, List<Copied> copies)
            throws IOException {
        StringBuilder from = new StringBuilder();
        StringBuilder to = new StringBuilder();
        String validity = null;
        for (Copied m : copies) {
            String appended = dest.call("APPEND", List.of(new Value.Quoted(mailbox), new Value.ListValue(m.flags()),
                    new Value.Quoted(m.internalDate()), new Value.SpooledLiteral(m.file(), java.nio.file.Files.size(m.file()))),
                    ImapProxy.Response::discard);
            java.util.regex.Matcher uid = APPENDUID.matcher(appended);
            if (!uid.matches()) {
                c.write(r.tag() + " " + (appended.startsWith("OK") ? "NO Copy incomplete" : appended));
                return null;
            }
            validity = uid.group(1);
            from.append(from.length() > 0 ? "," : "").append(m.uid());
            to.append(to.length() > 0 ? "," : "").append(uid.group(2));
        }
        return "[COPYUID " + validity + " " + from + " " + to + "]";
    }

    /**
     * As {@link #appendAll}, to {@code mailbox} (internal name) on this node, which is a backend too: each copy
     * appended with its flags and internal date, checked against the caller's right {@code i} and the quota.
     */
    private String appendHere(TaggedRequest r, Connection c, String mailbox, List<Copied> copies) throws IOException {
        MailboxStore.Info to = mailboxes.find(mailbox);
        if (to == null) {
            c.write(r.tag() + " NO [TRYCREATE] Mailbox does not exist");
            return null;
        }
        if (!Caller.of(context).may(to, 'i')) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return null;
        }
        StringBuilder from = new StringBuilder();
        StringBuilder uids = new StringBuilder();
        for (Copied m : copies) {
            java.util.Set<String> flags = new java.util.LinkedHashSet<>();
            m.flags().forEach(f -> flags.add(f.asString()));
            java.time.OffsetDateTime date = ImapMessages.internalDate(m.internalDate());
            long uid = messages.append(mailbox, org.corvid.ejb.backend.MessageSource.of(m.file(), java.nio.file.Files.size(m.file())),
                    flags, date);
            org.corvid.ejb.node.DurableCommit.force(mailstore);
            if (uid < 0) {
                c.write(r.tag() + (uid == org.corvid.ejb.backend.MessageStore.OVER_QUOTA ? " NO [OVERQUOTA] Quota exceeded"
                        : " NO [TRYCREATE] Mailbox does not exist"));
                return null;
            }
            from.append(from.length() > 0 ? "," : "").append(m.uid());
            uids.append(uids.length() > 0 ? "," : "").append(uid);
        }
        return "[COPYUID " + to.uidValidity() + " " + from + " " + uids + "]";
    }

    /** The backend holding {@code mailbox} (internal name) when it is ACTIVE on another server than this node. */
    public String otherBackendOf(String mailbox) {
        if (!node.has(NodeConfig.Role.FRONTEND) || mailbox == null) {
            return null;
        }
        MupdateRecord rec = locations.lookup(mailbox);
        return rec == null || rec.state() != org.corvid.persistence.mupdate.MailboxState.ACTIVE
                || rec.server().equalsIgnoreCase(node.serverName()) ? null : rec.server();
    }

    /**
     * COPY/MOVE from a mailbox selected on this node to {@code mailbox} (as the client named it) on
     * {@code server}: each message appended there with its flags and internal date. Returns the COPYUID code,
     * or null after answering the client (backend unavailable, or an append failed).
     */
    public String copyOut(TaggedRequest r, Connection c, String server, String mailbox, List<Copied> copies) {
        Target dest = connect(r, c, server);
        if (dest.proxy() == null) {
            return null;
        }
        try {
            return appendAll(r, c, dest.proxy(), mailbox, copies);
        } catch (IOException e) {
            LOG.warnf("[%s] IMAP proxy: copy to %s failed: %s", c.id(), server, e.getMessage());
            drop(c, dest.proxy());
            c.write(r.tag() + " NO [UNAVAILABLE] Copy between backends failed, try again later");
            return null;
        }
    }

    /** MYRIGHTS on the source: both {@code t} (delete messages) and {@code e} (expunge). */
    private static boolean mayExpunge(ImapProxy source, String mailbox) throws IOException {
        String[] rights = {""};
        source.call("MYRIGHTS", List.of(new Value.Quoted(mailbox)), resp -> {
            resp.discard();
            String line = resp.lines().get(0);
            if (line.startsWith("* MYRIGHTS ")) {
                rights[0] = line.substring(line.lastIndexOf(' ') + 1);
            }
        });
        return rights[0].indexOf('t') >= 0 && rights[0].indexOf('e') >= 0;
    }

    /** A FETCH response with its body literal becomes a copy; anything else goes to the client as it is. */
    private static void collect(ImapProxy.Response resp, List<Copied> copies, Connection c) {
        String text = String.join(" ", resp.lines());
        java.util.regex.Matcher m = FETCHED.matcher(text);
        java.util.regex.Matcher date = DATE.matcher(text);
        if (m.matches() && resp.literals().size() == 1 && date.find()) {
            java.util.regex.Matcher f = FLAGS.matcher(text);
            List<Value> flags = new java.util.ArrayList<>();
            if (f.find()) {
                for (String flag : f.group(1).trim().split("\\s+")) {
                    if (!flag.isEmpty() && !flag.equalsIgnoreCase("\\Recent")) {
                        flags.add(new Value.Atom(flag));
                    }
                }
            }
            copies.add(new Copied(Long.parseLong(m.group(1)), flags, date.group(1), resp.literals().get(0)));
            return;
        }
        writeWhole(resp, c); // EXISTS, EXPUNGE or FETCH FLAGS of other sessions
    }

    /** On a frontend, the route to the caller's INBOX when another backend holds it (their subscriptions are there); else null. */
    private MailboxLocator.Route inboxElsewhere(Connection c) {
        if (!node.has(NodeConfig.Role.FRONTEND) || c.user() == null || namespaces.callerIsAdmin()) {
            return null;
        }
        String inbox = new MailboxNames(c.user(), false).inbox();
        if (inbox == null || node.has(NodeConfig.Role.BACKEND) && mailboxes.find(inbox) != null) {
            return null;
        }
        MailboxLocator.Route route = locator.locate(inbox);
        return route.kind() == MailboxLocator.Kind.REMOTE ? route : null;
    }

    /**
     * SUBSCRIBE, UNSUBSCRIBE, LSUB: a user's subscriptions live with their INBOX, so these go to its backend
     * when that is another one. LSUB's answer is fixed there: a mailbox of another backend is not
     * {@code \Noselect} when the mailbox list has it. False when the INBOX is here (or the caller has none).
     */
    public boolean subscriptions(TaggedRequest r, Connection c) {
        MailboxLocator.Route route = inboxElsewhere(c);
        if (route == null) {
            return false;
        }
        Target target = connect(r, c, route.server());
        if (target.proxy() == null) {
            return true;
        }
        if (!r.name().endsWith("LSUB")) { // LSUB, or RLSUB (RFC 2193): the same on one server
            forward(r, c, target.proxy());
            return true;
        }
        MailboxNames names = new MailboxNames(c.user(), false);
        try {
            String done = target.proxy().call("LSUB", r.args(), resp -> resp.lines().forEach(line -> {
                if (!resp.literals().isEmpty()) { // a name sent as a literal: passed on as it came
                    if (line.equals(resp.lines().get(0))) {
                        writeWhole(resp, c);
                    }
                    return;
                }
                java.util.regex.Matcher m = NOSELECT_LSUB.matcher(line);
                if (m.matches()) {
                    String internal = names.toInternal(unquote(m.group(1)));
                    MupdateRecord rec = internal == null ? null : locations.lookup(internal);
                    if (rec != null && rec.state() == org.corvid.persistence.mupdate.MailboxState.ACTIVE) {
                        line = "* LSUB () \".\" " + m.group(1); // it exists, on another backend
                    }
                }
                c.write(line);
            }));
            c.write(r.tag() + " " + done);
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warnf("[%s] IMAP proxy: LSUB on %s failed: %s", c.id(), route.server(), e.getMessage());
            c.write(r.tag() + " NO [UNAVAILABLE] Backend " + route.server() + " failed, try again later");
        }
        return true;
    }

    /**
     * The caller's subscriptions (IMAP names) when they live on another backend with its INBOX, for LIST
     * (SUBSCRIBED) and RETURN (SUBSCRIBED): {@code LSUB "" "*"} there. Null when they are here (or there is no
     * such backend: the local, empty answer stands).
     */
    public java.util.Set<String> remoteSubscriptions(Connection c) {
        MailboxLocator.Route route = inboxElsewhere(c);
        if (route == null) {
            return null;
        }
        Target target = connect(null, c, route.server());
        if (target.proxy() == null) {
            return UNAVAILABLE;
        }
        java.util.Set<String> names = new java.util.TreeSet<>();
        try {
            String done = target.proxy().call("LSUB", List.of(new Value.Quoted(""), new Value.Quoted("*")), resp -> {
                String line = resp.lines().get(0);
                if (!line.startsWith("* LSUB ")) {
                    passOnUnsolicited(resp, c); // e.g. EXPUNGE of the mailbox selected there: the client must see it
                    return;
                }
                if (!resp.literals().isEmpty()) {
                    try {
                        names.add(java.nio.file.Files.readString(resp.literals().get(0), java.nio.charset.StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        LOG.warnf("[%s] IMAP proxy: unreadable LSUB name from %s: %s", c.id(), route.server(), e.getMessage());
                    }
                } else {
                    String name = line.substring(line.indexOf(')') + 1).trim();
                    names.add(unquote(name.substring(name.indexOf(' ') + 1).trim())); // after the delimiter
                }
                resp.discard();
            });
            return done.startsWith("OK") ? names : UNAVAILABLE;
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warnf("[%s] IMAP proxy: LSUB on %s failed: %s", c.id(), route.server(), e.getMessage());
            drop(c, target.proxy());
            return UNAVAILABLE;
        }
    }

    /** {@link #remoteSubscriptions}: the INBOX's backend did not answer (compared by identity). */
    public static final java.util.Set<String> UNAVAILABLE = java.util.Collections.unmodifiableSet(new java.util.HashSet<>());

    private static final java.util.Set<String> SPECIAL_USES = java.util.Set.of("\\ALL", "\\ARCHIVE", "\\DRAFTS",
            "\\FLAGGED", "\\JUNK", "\\SENT", "\\TRASH");
    private static final java.util.regex.Pattern LISTED = java.util.regex.Pattern.compile(
            "\\* LIST \\(([^)]*)\\) (?:NIL|\"[^\"]*\") (.+)");

    /**
     * LIST (SPECIAL-USE) on a frontend: the special use of the caller's mailboxes on {@code servers}, by IMAP
     * name, from each backend's own {@code LIST (SPECIAL-USE) "" "*"}. A backend that does not answer adds
     * nothing (its mailboxes are listed without special use).
     */
    public Map<String, String> remoteSpecialUse(Connection c, java.util.Collection<String> servers) {
        Map<String, String> uses = new HashMap<>();
        for (String server : servers) {
            Target target = connect(null, c, server);
            if (target.proxy() == null) {
                continue;
            }
            try {
                target.proxy().call("LIST", List.of(new Value.ListValue(List.of(new Value.Atom("SPECIAL-USE"))),
                        new Value.Quoted(""), new Value.Quoted("*")), resp -> {
                    if (!resp.lines().get(0).startsWith("* LIST ")) {
                        passOnUnsolicited(resp, c); // e.g. EXPUNGE of the mailbox selected there
                        return;
                    }
                    java.util.regex.Matcher m = LISTED.matcher(resp.lines().get(0));
                    if (resp.literals().isEmpty() && m.matches()) {
                        for (String attribute : m.group(1).split(" ")) {
                            if (SPECIAL_USES.contains(attribute.toUpperCase(java.util.Locale.ROOT))) {
                                uses.put(unquote(m.group(2)), attribute);
                            }
                        }
                    }
                    resp.discard();
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                LOG.warnf("[%s] IMAP proxy: LIST (SPECIAL-USE) on %s failed: %s", c.id(), server, e.getMessage());
                drop(c, target.proxy());
            }
        }
        return uses;
    }

    /** LIST-STATUS of a mailbox on another backend: that backend's {@code * STATUS} line, passed on (none if it fails). */
    public void remoteStatus(Connection c, String server, String name, String[] items) {
        Target target = connect(null, c, server);
        if (target.proxy() == null) {
            return;
        }
        List<Value> atoms = java.util.Arrays.stream(items).<Value>map(Value.Atom::new).toList();
        try {
            target.proxy().call("STATUS", List.of(new Value.Quoted(name), new Value.ListValue(atoms)), resp -> {
                if (resp.literals().isEmpty() && resp.lines().get(0).startsWith("* STATUS ")) {
                    c.write(resp.lines().get(0));
                    resp.discard();
                } else {
                    passOnUnsolicited(resp, c); // e.g. EXPUNGE of the mailbox selected there
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warnf("[%s] IMAP proxy: STATUS on %s failed: %s", c.id(), server, e.getMessage());
            drop(c, target.proxy());
        }
    }

    /** A backend connection that failed mid-answer: out of the session (its next command opens a fresh one), closed. */
    private static void drop(Connection c, ImapProxy p) {
        Backends b = backends(c);
        synchronized (b) {
            b.byServer.remove(p.server(), p);
        }
        p.close();
        if (b.selected == p) { // the selected mailbox is gone with it, as in forward()
            c.write("* BYE Backend " + p.server() + " failed");
            c.setState(SessionState.LOGOUT);
            c.close();
        }
    }

    /** An IMAP mailbox name as sent: a quoted string unescaped left to right, an atom as it is. */
    static String unquote(String name) {
        if (!name.startsWith("\"") || name.length() < 2) {
            return name;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < name.length() - 1; i++) {
            char ch = name.charAt(i);
            if (ch == '\\' && i + 1 < name.length() - 1) {
                ch = name.charAt(++i);
            }
            out.append(ch);
        }
        return out.toString();
    }

    /**
     * An untagged response that arrived while the frontend asked a backend something for itself: to the client
     * (e.g. an EXPUNGE of the mailbox selected there), except the backend's own {@code * BYE} (its session ends,
     * not the client's: the read fails next, and the connection is dropped).
     */
    private static void passOnUnsolicited(ImapProxy.Response resp, Connection c) {
        if (resp.lines().get(0).startsWith("* BYE ")) {
            resp.discard();
            return;
        }
        writeWhole(resp, c);
    }

    /** An untagged response with its literals, to the client as the backend sent it; its files go. */
    private static void writeWhole(ImapProxy.Response resp, Connection c) {
        try {
            for (int i = 0; i < resp.lines().size(); i++) {
                c.writeRaw((resp.lines().get(i) + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (i < resp.literals().size()) {
                    c.writeRaw(java.nio.file.Files.readAllBytes(resp.literals().get(i)));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            resp.discard();
        }
    }

    private static final java.util.regex.Pattern NOSELECT_LSUB = java.util.regex.Pattern.compile(
            "\\* LSUB \\(\\\\Noselect\\) \"\\.\" (.+)");

    /** Whether this node offers referrals (RFC 2193 {@code MAILBOX-REFERRALS}): a frontend, {@code corvid.referrals}. */
    public boolean offersReferrals() {
        return node.has(NodeConfig.Role.FRONTEND) && Boolean.parseBoolean(System.getProperty("corvid.referrals", "true"));
    }

    /** RLIST, RLSUB or LIST (REMOTE): the client understands referrals, so it may get them from now on (as Cyrus). */
    public void clientTakesReferrals(Connection c) {
        if (offersReferrals()) {
            c.attributes().put(REFERRALS, Boolean.TRUE);
        }
    }

    /**
     * A command that changes the mailbox list (DELETE, RENAME, SETACL, DELETEACL), from a client that takes
     * referrals, on a mailbox of another backend: {@code NO [REFERRAL imap://;AUTH=*@host:port/mailbox]}, so
     * the client does it on that backend itself, as a Cyrus frontend answers. True if so answered.
     */
    private boolean referred(TaggedRequest r, Connection c, int index) {
        if (c.attributes().get(REFERRALS) == null || !CHANGES_LIST.contains(r.name()) || index >= r.args().size()
                || r.string(index) == null) {
            return false;
        }
        String name = new MailboxNames(c.user(), namespaces.callerIsAdmin()).toInternal(r.string(index));
        if (name == null || node.has(NodeConfig.Role.BACKEND) && mailboxes.find(name) != null) {
            return false;
        }
        MailboxLocator.Route route = locator.locate(name);
        if (route.kind() != MailboxLocator.Kind.REMOTE) {
            return false;
        }
        org.corvid.ejb.frontend.BackendAddresses.Address at = org.corvid.ejb.frontend.BackendAddresses.of(route.server());
        c.write(r.tag() + " NO [REFERRAL imap://;AUTH=*@" + at.host() + ":" + at.imapPort() + "/"
                + urlEncoded(r.string(index)) + "] Remote mailbox.");
        return true;
    }

    /** RFC 2192 {@code enc-mailbox}: the (modified UTF-7) name with every octet outside {@code uchar} as %XX. */
    static String urlEncoded(String mailbox) {
        StringBuilder out = new StringBuilder();
        for (byte b : mailbox.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char ch = (char) (b & 0xff);
            if (ch < 0x80 && (Character.isLetterOrDigit(ch) || "$-_.+!*'(),&=~".indexOf(ch) >= 0)) {
                out.append(ch);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** STATUS, APPEND, GETACL, ... naming a mailbox (argument {@code index}) on another backend: there. */
    public boolean mailboxCommand(TaggedRequest r, Connection c, int index) {
        if (referred(r, c, index)) {
            return true;
        }
        Target target = target(r, c, index);
        if (target.proxy() != null && "RENAME".equals(r.name()) && r.args().size() > 2 && !namespaces.callerIsAdmin()) {
            c.write(r.tag() + " NO [NOPERM] Only administrators move mailboxes between servers");
            return true;
        }
        // RENAME name name server[!partition] (an admin's live move) goes to the source backend like any RENAME:
        // it runs the move there (as Cyrus's frontend hands XFER to the backend) and answers when it is done
        if (target.proxy() != null) {
            if ("OK".equals(forwardFollowingMoves(r, c, new ImapProxy[] {target.proxy()}, index)) && CHANGES_LIST.contains(r.name())) {
                locator.catchUp(); // before the client's next command
            }
            return true;
        }
        return target.answered();
    }

    /**
     * CREATE: under a mailbox of another backend, on that backend (a child lives with its nearest existing
     * ancestor, as in Cyrus); a new user or top-level name, when this node is not a backend itself, on the
     * backend with the fewest mailboxes ({@link #placement()}). False when it is created here.
     */
    public boolean create(TaggedRequest r, Connection c) {
        if (!node.has(NodeConfig.Role.FRONTEND) || c.user() == null || r.args().isEmpty() || r.string(0) == null) {
            return false;
        }
        String name = new MailboxNames(c.user(), namespaces.callerIsAdmin()).toInternal(r.string(0));
        if (name == null) {
            return false;
        }
        if (r.args().size() == 2 && r.string(1) != null && explicitServer(r, c, r.string(1))) {
            return true;
        }
        String server = null;
        for (String a = MailboxNames.parentOf(name); a != null && server == null; a = MailboxNames.parentOf(a)) {
            if (node.has(NodeConfig.Role.BACKEND) && mailboxes.find(a) != null) {
                return false;
            }
            MupdateRecord rec = locations.lookup(a);
            server = rec == null ? null : rec.server();
        }
        if (server == null) {
            if (node.has(NodeConfig.Role.BACKEND)) {
                return false;
            }
            server = placement();
            if (server == null) {
                c.write(r.tag() + " NO [UNAVAILABLE] No backend to create the mailbox on");
                return true;
            }
        }
        if (node.has(NodeConfig.Role.BACKEND) && server.equalsIgnoreCase(node.serverName())) {
            return false;
        }
        Target target = connect(r, c, server);
        if (target.proxy() != null && "OK".equals(forward(r, c, target.proxy()))) {
            locator.awaitCreated(name, server); // before the client's next command (a LIST shows the new mailbox)
        }
        return true;
    }

    /**
     * A frontend's INBOX autocreation: if the list has no INBOX for the user, a session is opened for them on the
     * backend the placement policy picks, whose own login autocreates it (and tells the master); the session is
     * kept for the client's next commands. A failure is logged: the login stands, as on a backend.
     */
    public void autocreateInbox(Connection c) {
        String inbox = new MailboxNames(c.user(), false).inbox();
        if (!node.has(NodeConfig.Role.FRONTEND) || !MailboxNames.valid(inbox) || locator.locate(inbox).kind() != MailboxLocator.Kind.UNKNOWN) {
            return;
        }
        // one autocreation per user at a time: a burst of first logins must not open a backend session each
        java.util.concurrent.CompletableFuture<Void> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<Void> running = AUTOCREATING.putIfAbsent(c.user(), mine);
        if (running != null) {
            try {
                running.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.debugf("[%s] waiting for the INBOX autocreation of %s: %s", c.id(), c.user(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            if (locator.locate(inbox).kind() == MailboxLocator.Kind.UNKNOWN) { // not made meanwhile
                openForAutocreate(c);
            }
        } finally {
            AUTOCREATING.remove(c.user(), mine);
            mine.complete(null);
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.CompletableFuture<Void>> AUTOCREATING =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void openForAutocreate(Connection c) {
        String server = placement();
        if (server == null) {
            LOG.warnf("[%s] autocreate INBOX of %s: no backend known", c.id(), c.user());
            return;
        }
        if (connect(null, c, server).proxy() != null) { // its login there made the INBOX; the session keeps it
            locator.catchUp();
            LOG.infof("[%s] autocreate INBOX of %s on %s", c.id(), c.user(), server);
        }
    }

    /**
     * {@code CREATE name server[!partition]} (administrators): on that backend, as {@code CREATE name
     * [partition]} there. False if the argument names no other backend (on a backend it may be a partition
     * of this node).
     */
    private boolean explicitServer(TaggedRequest r, Connection c, String spec) {
        int bang = spec.indexOf('!');
        String server = bang < 0 ? spec : spec.substring(0, bang);
        boolean known = bang >= 0 || org.corvid.ejb.frontend.BackendAddresses.configured().stream().anyMatch(server::equalsIgnoreCase);
        boolean here = node.has(NodeConfig.Role.BACKEND) && server.equalsIgnoreCase(node.serverName());
        if (!known || here) {
            if (!node.has(NodeConfig.Role.BACKEND)) {
                c.write(r.tag() + " NO [NONEXISTENT] No backend named " + server);
                return true;
            }
            return false;
        }
        if (!namespaces.callerIsAdmin()) {
            c.write(r.tag() + " NO [NOPERM] Only administrators may choose the server");
            return true;
        }
        Target target = connect(r, c, server);
        if (target.proxy() == null) {
            return true;
        }
        List<Value> args = bang < 0 || bang == spec.length() - 1 ? List.of(r.args().get(0))
                : List.of(r.args().get(0), new Value.Atom(spec.substring(bang + 1)));
        try {
            if ("OK".equals(target.proxy().forward(r.tag(), "CREATE", args, c))) {
                locator.catchUp();
            }
        } catch (IOException e) {
            LOG.warnf("[%s] IMAP proxy: CREATE on %s failed: %s", c.id(), server, e.getMessage());
            c.write(r.tag() + " NO [UNAVAILABLE] Backend " + server + " failed, try again later");
        }
        return true;
    }

    /**
     * Placement of a new user or top-level mailbox ({@code corvid.placement}): {@code server:<name>} puts every one
     * on that server; {@code most-free-space} on the candidate whose default partition has the most free bytes
     * ({@link BackendSpace}; the fewest mailboxes among those whose room is unknown if none is known); the
     * default, {@code fewest-mailboxes}, the candidate holding the fewest mailboxes. The candidates are the
     * backends of {@code corvid.backends} (or, if none is listed, the servers of the mailbox list); null if none.
     */
    String placement() {
        String policy = System.getProperty("corvid.placement", "fewest-mailboxes").trim();
        if (policy.startsWith("server:") && policy.length() > "server:".length()) {
            return policy.substring("server:".length()); // explicit: every new user or top-level name there
        }
        Map<String, Long> count = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        org.corvid.ejb.frontend.BackendAddresses.configured().forEach(s -> count.put(s, 0L));
        boolean listed = !count.isEmpty();
        locations.forEachInOrder(null, rec -> {
            if (!listed || count.containsKey(rec.server())) {
                count.merge(rec.server(), 1L, Long::sum);
            }
        });
        if (policy.equals("most-free-space")) {
            String roomiest = null;
            long most = -1;
            for (String server : count.keySet()) {
                long free = org.corvid.ejb.frontend.BackendSpace.freeBytes(server);
                if (free > most) {
                    most = free;
                    roomiest = server;
                }
            }
            if (roomiest != null) {
                return roomiest;
            }
        }
        return count.entrySet().stream().min(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
    }

    /** Where a command goes: {@code proxy} (another backend), or here; {@code answered} if it got its answer already. */
    private record Target(ImapProxy proxy, boolean answered) {
        static final Target HERE = new Target(null, false);
    }

    /**
     * The connection to the backend holding the mailbox named by argument {@code index}, opened if need be;
     * HERE if the mailbox is to be handled on this node (or does not exist: the local handler says so).
     */
    private Target target(TaggedRequest r, Connection c, int index) {
        if (!node.has(NodeConfig.Role.FRONTEND) || c.user() == null || index >= r.args().size()
                || r.string(index) == null) {
            return Target.HERE;
        }
        String name = new MailboxNames(c.user(), namespaces.callerIsAdmin()).toInternal(r.string(index));
        if (name == null || node.has(NodeConfig.Role.BACKEND) && mailboxes.find(name) != null) {
            return Target.HERE;
        }
        // a mailbox in a move's final phase is RESERVED for a second or two: the command waits for it
        MailboxLocator.Route route = locator.locateHeld(name,
                java.time.Duration.ofSeconds(Long.getLong("corvid.imap.move-hold-seconds", 15)));
        switch (route.kind()) {
            case REMOTE -> {
                return connect(r, c, route.server());
            }
            case RESERVED -> {
                return answered(r, c, "NO [UNAVAILABLE] Mailbox is being created or moved, try again later");
            }
            case UNAVAILABLE -> {
                return answered(r, c, "NO [UNAVAILABLE] Mailbox list unavailable, try again later");
            }
            default -> {
                return Target.HERE; // unknown, or here after all: the local handler answers
            }
        }
    }

    /** The session's connection to {@code server}, opened at first use. */
    private static Target connect(TaggedRequest r, Connection c, String server) {
        Backends b = backends(c);
        synchronized (b) {
            ImapProxy p = b.byServer.get(server);
            if (p != null) {
                return new Target(p, false);
            }
        }
        ImapProxy p; // opened outside the lock: a disconnect (which closes the session's backends) never waits on it
        try {
            p = ImapProxy.open(server, c.user());
            if (ImapMessages.condstore(c)) { // the client enabled it here: so must every backend session
                enableCondstore(p);
            }
        } catch (IOException e) {
            LOG.warnf("[%s] IMAP proxy to %s for %s failed: %s", c.id(), server, c.user(), e.getMessage());
            return answered(r, c, "NO [UNAVAILABLE] Backend " + server + " unavailable, try again later");
        }
        synchronized (b) {
            if (b.closed) { // the client left meanwhile
                p.close();
                return new Target(null, true);
            }
            b.byServer.put(server, p);
        }
        return new Target(p, false);
    }

    private static Target answered(TaggedRequest r, Connection c, String text) {
        if (r != null) { // null: the caller answers itself
            c.write(r.tag() + " " + text);
        }
        return new Target(null, true);
    }

    /** Sends the command to {@code there}; a backend that fails ends its part of the session cleanly. */
    /**
     * Forwards a command naming a mailbox (argument {@code index}) to {@code there[0]}; if that backend answers
     * that the mailbox has just moved away (this node's list lagging behind the master's by a moment), the
     * command follows it to its new backend, a few times at most; {@code there[0]} is then where it was answered.
     */
    private String forwardFollowingMoves(TaggedRequest r, Connection c, ImapProxy[] there, int index) {
        String status = forward(r, c, there[0]);
        for (int attempt = 0; "MOVING".equals(status) && attempt < 5; attempt++) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            locator.catchUp();
            Target t = target(r, c, index);
            if (t.proxy() == null) { // answered, or now on this very node: the client asks again
                if (!t.answered()) {
                    c.write(r.tag() + " " + ImapProxy.MOVING + ", try again");
                }
                return "NO";
            }
            there[0] = t.proxy();
            status = forward(r, c, there[0]);
        }
        if ("MOVING".equals(status)) {
            c.write(r.tag() + " " + ImapProxy.MOVING + ", try again later");
            return "NO";
        }
        return status;
    }

    private static String forward(TaggedRequest r, Connection c, ImapProxy there) {
        try {
            return there.forward(r.tag(), r.name(), r.args(), c);
        } catch (IOException e) {
            Backends held = backends(c);
            if (!there.relayedAnything() && held.selected != there) { // e.g. logged out while unused: once more
                there.close();
                Target fresh;
                synchronized (held) {
                    held.byServer.remove(there.server());
                }
                fresh = connect(r, c, there.server());
                if (fresh.proxy() == null) {
                    return "NO";
                }
                try {
                    return fresh.proxy().forward(r.tag(), r.name(), r.args(), c);
                } catch (IOException again) {
                    there = fresh.proxy();
                    e = again;
                }
            }
            LOG.warnf("[%s] IMAP proxy: backend %s failed: %s", c.id(), there.server(), e.getMessage());
            Backends b = backends(c);
            synchronized (b) {
                b.byServer.remove(there.server());
            }
            there.close();
            if (b.selected == there) { // the selected mailbox is gone with it: nothing sensible to go on with
                // the backend's own reason if it gave one (e.g. the mailbox moved: the client reconnects to it)
                c.write("* BYE " + (there.bye() != null ? there.bye() : "Backend " + there.server() + " failed"));
                c.setState(SessionState.LOGOUT);
                c.close();
            } else {
                c.write(r.tag() + " NO [UNAVAILABLE] Backend " + there.server() + " failed, try again later");
            }
            return "NO";
        }
    }
}
