package org.corvid.ejb.mupdate;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.corvid.ejb.cluster.MasterRole;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.mupdate.MupdateService.Write;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.ejb.security.Authenticator;
import org.corvid.ejb.security.SaslPlain;
import org.corvid.jca.api.Command;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.MupdateListener;
import org.corvid.jca.api.OnConnect;
import org.corvid.jca.api.SessionState;
import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.jboss.ejb3.annotation.ResourceAdapter;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;
import org.wildfly.security.auth.server.SecurityIdentity;

/**
 * The MUPDATE master (RFC 3656), worded as Cyrus 3.6 words it so Cyrus backends, frontends and
 * {@code mupdatetest} work unchanged. Session states: not authenticated → authenticated → streaming
 * ({@link SessionState#SELECTED}, after UPDATE: only NOOP and LOGOUT).
 */
@MessageDriven(name = "MupdateMdb", activationConfig = {
        @ActivationConfigProperty(propertyName = "beanClass", propertyValue = "org.corvid.ejb.mupdate.MupdateMdb"),
        @ActivationConfigProperty(propertyName = "port", propertyValue = "${corvid.mupdate.port:3905}"),
})
@ResourceAdapter("corvid.ear#corvid-jca.rar")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@PermitAll
@SecurityDomain("corvid")
public class MupdateMdb implements MupdateListener {
    private static final Logger LOG = Logger.getLogger(MupdateMdb.class);
    private static final int PAGE = 5000;
    private static final int MAX_UPDATE_HOSTS = 30;
    private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RELAY_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final String LOGIN_USER = Base64.getEncoder().encodeToString("Username:".getBytes(StandardCharsets.US_ASCII));
    private static final String LOGIN_PASSWORD = Base64.getEncoder().encodeToString("Password:".getBytes(StandardCharsets.US_ASCII));

    @EJB
    private NodeConfig node;

    /** This node has the {@code mupdate} role; read once per instance (roles change only with a reload). */
    private boolean mupdateRole;

    @EJB
    private Authenticator authenticator;

    @EJB
    private MupdateService list;

    @EJB
    private MupdateChanges changes;

    @EJB
    private MupdateWriter writer;

    @EJB
    private LocationCache locations;

    @EJB
    private MupdateSlave slave;

    @EJB
    private MasterRole master;

    /**
     * In a cluster, a node that is not the master relays the connection to the one that is (clients need not
     * know which node it is; after a failover they reconnect and land on the new one).
     */
    @OnConnect
    public void greet(Connection c) {
        if (master.clustered() && !master.active()) {
            String target = master.relayTarget();
            if (target == null) {
                c.write("* BYE \"no MUPDATE master at the moment, try again shortly\"");
                c.close();
                return;
            }
            try {
                int colon = target.lastIndexOf(':');
                c.relayTo(new java.net.InetSocketAddress(target.substring(0, colon),
                        Integer.parseInt(target.substring(colon + 1))), RELAY_CONNECT_TIMEOUT);
                master.relaying(c, target);
                LOG.debugf("[%s] relayed to the MUPDATE master at %s", c.id(), target);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.infof("[%s] MUPDATE master %s not reachable: %s", c.id(), target, e.getMessage());
                c.write("* BYE \"MUPDATE master not reachable, try again shortly\"");
                c.close();
            }
            return;
        }
        banner(c);
    }

    private void banner(Connection c) {
        c.write("* AUTH \"PLAIN\" \"LOGIN\"");
        if (c.isTlsAvailable()) {
            c.write("* STARTTLS");
        }
        c.write("* PARTIAL-UPDATE");
        // a slave names its master, as Cyrus does: "mupdate://host:port"
        String role = slave.active() ? "mupdate://" + slave.master() : "(master)";
        c.write("* OK MUPDATE \"" + node.serverName() + "\" \"Corvid\" \"" + node.version() + "\" \"" + role + "\"");
    }

    @PostConstruct
    void init() {
        mupdateRole = node.has(NodeConfig.Role.MUPDATE);
    }

    @Command(value = "NOOP", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void noop(TaggedRequest r, Connection c) {
        if (!r.args().isEmpty()) {
            c.write(r.tag() + " BAD \"Extra arguments\"");
            return;
        }
        // On the master, changes are written to streams as they commit, so everything committed before this
        // NOOP is out. A slave first runs the barrier with its master: the changes that arrive meanwhile are
        // pushed to this connection ahead of the reply.
        if (c.state() == SessionState.SELECTED && slave.active() && !slave.barrier(BARRIER_TIMEOUT)) {
            c.write(r.tag() + " NO \"master not reachable\"");
            return;
        }
        c.write(r.tag() + " OK \"Noop done\"");
    }

    @Command("LOGOUT")
    public void logout(TaggedRequest r, Connection c) {
        c.write(r.tag() + " OK \"bye-bye\"");
        c.setState(SessionState.LOGOUT);
    }

    @Command(value = "STARTTLS", states = SessionState.NOT_AUTHENTICATED)
    public void starttls(TaggedRequest r, Connection c) {
        if (!r.args().isEmpty()) {
            c.write(r.tag() + " BAD \"Extra arguments\"");
        } else if (!c.isTlsAvailable()) {
            c.write(r.tag() + " BAD \"Already did a successful Starttls\"");
        } else {
            c.write(r.tag() + " OK \"Begin TLS negotiation now\"");
            c.startTls();
            banner(c); // sent over TLS, as Cyrus does
        }
    }

    /**
     * SASL PLAIN or LOGIN, with an initial response or through continuations (bare base64 lines, as Cyrus's
     * mupdate sends them).
     */
    @Command(value = "AUTHENTICATE", states = SessionState.NOT_AUTHENTICATED)
    public void authenticate(TaggedRequest r, Connection c) {
        List<String> args = strings(r);
        if (args == null || args.isEmpty()) {
            c.write(r.tag() + " BAD \"Missing arguments\"");
            return;
        }
        String mechanism = args.get(0);
        List<String> responses = args.subList(1, args.size()).stream().map(MupdateMdb::unquote).toList();
        if (responses.contains("*")) {
            c.write(r.tag() + " NO Client canceled authentication");
            return;
        }
        try {
            if ("PLAIN".equalsIgnoreCase(mechanism)) {
                if (responses.isEmpty()) {
                    c.continueWith("");
                    return;
                }
                SaslPlain plain = SaslPlain.decode(responses.get(0));
                complete(r, c, plain.authcid(), plain.password(), plain.authzid());
            } else if ("LOGIN".equalsIgnoreCase(mechanism)) {
                if (responses.size() < 2) {
                    c.continueWith(responses.isEmpty() ? LOGIN_USER : LOGIN_PASSWORD);
                    return;
                }
                complete(r, c, decode(responses.get(0)), decode(responses.get(1)), null);
            } else {
                c.write(r.tag() + " NO \"no mechanism available\"");
            }
        } catch (IllegalArgumentException e) {
            c.write(r.tag() + " NO Error reading client response: bad base64");
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
    }

    /** Continuation responses may come as quoted strings. */
    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private void complete(TaggedRequest r, Connection c, String user, String password, String authzid) {
        SecurityIdentity identity = authenticator.authenticate(user, password, authzid);
        if (identity == null) {
            LOG.infof("[%s] MUPDATE authentication failed for %s from %s", c.id(), user, c.remoteAddress().getAddress());
            c.writeLater(r.tag() + " NO \"authentication failure\"",
                    Duration.ofMillis(Long.getLong("corvid.auth.failure-delay-ms", 1000)));
            return;
        }
        if (!murderPrincipal(identity)) {
            LOG.infof("[%s] %s is not a murder principal, MUPDATE refused", c.id(), identity.getPrincipal().getName());
            c.write(r.tag() + " NO \"not authorized for MUPDATE\"");
            return;
        }
        c.authenticated(identity.getPrincipal().getName(), identity);
        c.write(r.tag() + " OK \"Authenticated\"");
    }

    /**
     * Only murder servers may use the master: roles in {@code corvid.mupdate.reader-roles} (default
     * {@code corvid-frontend}) may read, those in {@code corvid.mupdate.writer-roles} also write. The list names
     * every mailbox and its ACL, so ordinary mail users get nothing.
     */
    private static boolean murderPrincipal(SecurityIdentity identity) {
        String roles = System.getProperty("corvid.mupdate.reader-roles", "corvid-frontend") + ","
                + System.getProperty("corvid.mupdate.writer-roles", "corvid-admin,corvid-backend");
        return java.util.Arrays.stream(roles.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .anyMatch(identity.getRoles()::contains);
    }

    @Command(value = "RESERVE", states = SessionState.AUTHENTICATED, pipelined = true)
    public void reserve(TaggedRequest r, Connection c) {
        change(r, c, Write.Kind.RESERVE, 2);
    }

    @Command(value = "ACTIVATE", states = SessionState.AUTHENTICATED, pipelined = true)
    public void activate(TaggedRequest r, Connection c) {
        change(r, c, Write.Kind.ACTIVATE, 3);
    }

    @Command(value = "DEACTIVATE", states = SessionState.AUTHENTICATED, pipelined = true)
    public void deactivate(TaggedRequest r, Connection c) {
        change(r, c, Write.Kind.DEACTIVATE, 2);
    }

    @Command(value = "DELETE", states = SessionState.AUTHENTICATED, pipelined = true)
    public void delete(TaggedRequest r, Connection c) {
        change(r, c, Write.Kind.DELETE, 1);
    }

    /**
     * A write command with {@code count} arguments (name [location [acl]]), answered after its commit. The
     * answer is deferred, so the connection's next pipelined writes join the same group commit.
     */
    private void change(TaggedRequest r, Connection c, Write.Kind kind, int count) {
        List<String> a = writeArgs(r, c, count);
        if (a != null) {
            Write w = new Write(kind, a.get(0), count > 1 ? a.get(1) : null, count > 2 ? a.get(2) : "");
            Connection.DeferredReply answer = c.deferReply();
            writer.submit(w, (outcome, failure) -> {
                if (stale(failure)) {
                    answer.complete(r.tag() + " NO \"not the MUPDATE master any more, reconnect\"");
                    c.close(); // the client reconnects, to the new master
                    return;
                }
                if (failure != null) {
                    LOG.errorf(failure, "[%s] %s %s failed", c.id(), kind, w.name());
                }
                answer.complete(r.tag() + " " + (failure == null ? outcome.reply() : "NO \"Server error\""));
            });
        }
    }

    private static boolean stale(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.corvid.ejb.cluster.StaleMasterException) {
                return true;
            }
        }
        return false;
    }

    @Command(value = "FIND", states = SessionState.AUTHENTICATED)
    public void find(TaggedRequest r, Connection c) {
        List<String> a = exactly(r, c, 1);
        if (a == null || !synced(r, c)) {
            return;
        }
        // from the location cache: it holds every committed entry (applied during the commit, before the
        // writer's OK), so FIND needs no database round trip
        MupdateRecord found = locations.lookup(a.get(0));
        if (found != null) {
            MupdateWire.record(r.tag(), found).forEach(c::write);
        }
        c.write(r.tag() + " OK \"Search completed\"");
    }

    /** LIST [location-prefix]: the whole list, or the entries whose location starts with the prefix. */
    @Command(value = "LIST", states = SessionState.AUTHENTICATED)
    public void list(TaggedRequest r, Connection c) {
        List<String> a = strings(r);
        if (a == null || a.size() > 1) {
            c.write(r.tag() + (a == null ? " BAD \"Badly formed arguments\"" : " BAD \"Extra arguments\""));
            return;
        }
        if (!synced(r, c)) {
            return;
        }
        String prefix = a.isEmpty() ? null : a.get(0);
        dump(r.tag(), c, prefix, Set.of());
        c.write(r.tag() + " OK \"list complete\"");
    }

    /** UPDATE [host...] (PARTIAL-UPDATE): the full list, then every committed change, tagged with this tag. */
    @Command(value = "UPDATE", states = SessionState.AUTHENTICATED)
    public void update(TaggedRequest r, Connection c) {
        List<String> a = strings(r);
        if (a == null || a.stream().anyMatch(String::isEmpty)) {
            c.write(r.tag() + " BAD \"Badly formed arguments\"");
            return;
        }
        if (a.size() > MAX_UPDATE_HOSTS) {
            c.write(r.tag() + " BAD \"Extra arguments\"");
            return;
        }
        if (!synced(r, c)) {
            return;
        }
        UpdateStream stream = new UpdateStream(r.tag(), Set.copyOf(new LinkedHashSet<>(a)), c);
        changes.subscribe(stream); // before the dump: what commits meanwhile is buffered, not lost
        try {
            dump(r.tag(), c, null, stream.hosts());
        } catch (RuntimeException e) {
            changes.unsubscribe(stream);
            throw e;
        }
        c.write(r.tag() + " OK \"streaming starts\"");
        c.setState(SessionState.SELECTED);
        stream.goLive();
    }

    /** On a slave, reads need the master's list first; false (answered) until it has arrived. */
    private boolean synced(TaggedRequest r, Connection c) {
        if (slave.active() && !slave.synced()) {
            c.write(r.tag() + " NO \"not yet synchronized with the master\"");
            return false;
        }
        return true;
    }

    /**
     * Streams the list in byte order of the names (Cyrus's slaves merge the dump with their own sorted list
     * by strcmp): on the master page by page from the database (never whole in memory; the next page is read
     * while this one is written), on a slave from the location cache.
     */
    private void dump(String tag, Connection c, String locationPrefix, Set<String> hosts) {
        if (!mupdateRole) {
            locations.forEachInOrder(locationPrefix, rec -> write(tag, c, rec, hosts));
            return;
        }
        Future<List<MupdateRecord>> next = list.pageAsync("", locationPrefix, PAGE);
        List<MupdateRecord> page;
        do {
            page = await(next);
            if (page.size() == PAGE) {
                next = list.pageAsync(page.get(page.size() - 1).name(), locationPrefix, PAGE);
            }
            for (MupdateRecord rec : page) {
                write(tag, c, rec, hosts);
            }
        } while (page.size() == PAGE);
    }

    private static void write(String tag, Connection c, MupdateRecord rec, Set<String> hosts) {
        if (hosts.isEmpty() || hosts.contains(rec.server())) {
            c.write(MupdateWire.asOneWrite(MupdateWire.record(tag, rec)));
        }
    }

    private static List<MupdateRecord> await(Future<List<MupdateRecord>> page) {
        try {
            return page.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the list", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the list: " + e.getCause(), e.getCause());
        }
    }

    /** The arguments of a write, checked for count and for the caller's right to write; null if answered. */
    private List<String> writeArgs(TaggedRequest r, Connection c, int count) {
        List<String> a = exactly(r, c, count);
        if (a == null) {
            return null;
        }
        if (!mupdateRole || !list.callerMayWrite()) {
            c.write(r.tag() + " BAD \"read-only session\"");
            return null;
        }
        return a;
    }

    private static List<String> exactly(TaggedRequest r, Connection c, int count) {
        List<String> a = strings(r);
        if (a == null) {
            c.write(r.tag() + " BAD \"Badly formed arguments\"");
        } else if (a.size() < count) {
            c.write(r.tag() + " BAD \"Missing arguments\"");
        } else if (a.size() > count) {
            c.write(r.tag() + " BAD \"Extra arguments\"");
        } else if (a.stream().anyMatch(s -> s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\0') >= 0)
                || a.get(0).isEmpty()) {
            c.write(r.tag() + " BAD \"Badly formed arguments\"");
        } else {
            return a;
        }
        return null;
    }

    /** All arguments as strings (atoms, quoted strings, literals); null if any is a list or NIL. */
    private static List<String> strings(TaggedRequest r) {
        if (r.args().stream().anyMatch(v -> v instanceof Value.ListValue || v == Value.Nil.NIL)) {
            return null;
        }
        return r.args().stream().map(Value::asString).toList();
    }
}
