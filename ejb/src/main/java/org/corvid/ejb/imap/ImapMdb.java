package org.corvid.ejb.imap;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.time.Duration;
import java.util.List;
import org.corvid.ejb.backend.MailboxAcl;
import org.corvid.ejb.backend.MailboxManager;
import org.corvid.ejb.backend.MailboxNames;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.ejb.security.Authenticator;
import org.corvid.ejb.security.SaslPlain;
import org.corvid.jca.api.Command;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.ImapListener;
import org.corvid.jca.api.OnConnect;
import org.corvid.jca.api.SessionState;
import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.jboss.ejb3.annotation.ResourceAdapter;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;
import org.wildfly.security.auth.server.SecurityIdentity;

/**
 * IMAP commands (RFC 9051 / 3501). Each method is one command; the adapter has already checked the
 * protocol state. Methods run without a transaction: services they call commit before a reply is written,
 * so an {@code OK} always follows a durable change.
 */
@MessageDriven(name = "ImapMdb", activationConfig = {
        @ActivationConfigProperty(propertyName = "beanClass", propertyValue = "org.corvid.ejb.imap.ImapMdb"),
        @ActivationConfigProperty(propertyName = "port", propertyValue = "${corvid.imap.port:1143}"),
})
@ResourceAdapter("corvid.ear#corvid-jca.rar")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@PermitAll
@SecurityDomain("corvid")
public class ImapMdb implements ImapListener {
    private static final Logger LOG = Logger.getLogger(ImapMdb.class);

    @EJB
    private NodeConfig node;

    @EJB
    private Authenticator authenticator;

    @EJB
    private Namespaces namespaces;

    @EJB
    private ImapFrontend frontend;

    @EJB
    private org.corvid.ejb.frontend.MailboxLocator locator;

    @EJB
    private ImapMailboxes mailboxes;

    @EJB
    private ImapMessages messages;

    @EJB
    private ImapAcl acl;

    @EJB
    private ImapMetadata metadata;

    @EJB
    private ImapQuota quota;

    @EJB
    private MailboxStore store;

    @EJB
    private MailboxManager manager;

    @OnConnect
    public void greet(Connection c) {
        c.write("* OK [CAPABILITY " + capabilities(c) + "] " + node.serverName() + " Corvid IMAP " + node.version()
                + " server ready");
    }

    @Command("CAPABILITY")
    public void capability(TaggedRequest r, Connection c) {
        if (!r.args().isEmpty()) {
            c.write(r.tag() + " BAD CAPABILITY takes no arguments");
            return;
        }
        c.write("* CAPABILITY " + capabilities(c));
        c.write(r.tag() + " OK Completed");
    }

    /** In the selected state NOOP (and CHECK) report what other sessions changed (EXISTS, EXPUNGE). */
    @Command("NOOP")
    public void noop(TaggedRequest r, Connection c) {
        if (c.state() == SessionState.SELECTED && frontend.selected(r, c)) {
            return;
        }
        if (!r.args().isEmpty()) {
            c.write(r.tag() + " BAD NOOP takes no arguments");
            return;
        }
        if (c.state() == SessionState.SELECTED) {
            messages.sync(c, ImapMessages.selected(c));
        }
        c.write(r.tag() + " OK Completed");
    }

    /** ENABLE (RFC 5161): CONDSTORE is the one extension that needs enabling here; others are ignored. */
    @Command(value = "ENABLE", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void enable(TaggedRequest r, Connection c) {
        if (r.args().isEmpty() || r.args().stream().anyMatch(a -> !(a instanceof Value.Atom))) {
            c.write(r.tag() + " BAD ENABLE takes capability names");
            return;
        }
        boolean condstore = r.args().stream().anyMatch(a -> "CONDSTORE".equalsIgnoreCase(a.asString()));
        if (condstore && !ImapMessages.condstore(c)) {
            ImapMessages.enableCondstore(c);
            frontend.enabled(c);
            c.write("* ENABLED CONDSTORE");
        } else {
            c.write("* ENABLED");
        }
        c.write(r.tag() + " OK Completed");
    }

    @Command(value = "CHECK", states = SessionState.SELECTED)
    public void check(TaggedRequest r, Connection c) {
        if (frontend.selected(r, c)) {
            return;
        }
        noop(r, c);
    }

    @Command(value = "APPEND", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void append(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        String name = r.args().isEmpty() || r.string(0) == null ? null
                : new MailboxNames(c.user(), namespaces.callerIsAdmin()).toInternal(r.string(0));
        if (name == null) {
            c.write(r.tag() + (r.args().isEmpty() ? " BAD APPEND takes a mailbox and a message" : " NO [TRYCREATE] Invalid mailbox name"));
            return;
        }
        messages.append(r, c, name);
    }

    @Command(value = "FETCH", states = SessionState.SELECTED)
    public void fetch(TaggedRequest r, Connection c) {
        if (frontend.selected(r, c)) {
            return;
        }
        messages.fetch(r, c, false, r.args());
    }

    @Command(value = "STORE", states = SessionState.SELECTED)
    public void store(TaggedRequest r, Connection c) {
        if (frontend.selected(r, c)) {
            return;
        }
        messages.store(r, c, false, r.args());
    }

    @Command(value = "EXPUNGE", states = SessionState.SELECTED)
    public void expunge(TaggedRequest r, Connection c) {
        if (frontend.selected(r, c)) {
            return;
        }
        if (!r.args().isEmpty()) {
            c.write(r.tag() + " BAD EXPUNGE takes no arguments");
            return;
        }
        messages.expunge(r, c, null, false);
    }

    @Command(value = "SETACL", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void setacl(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        acl.setacl(r, c);
    }

    @Command(value = "DELETEACL", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void deleteacl(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        acl.deleteacl(r, c);
    }

    @Command(value = "GETACL", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void getacl(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        acl.getacl(r, c);
    }

    @Command(value = "LISTRIGHTS", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void listrights(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        acl.listrights(r, c);
    }

    @Command(value = "GETMETADATA", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void getmetadata(TaggedRequest r, Connection c) {
        boolean options = r.args().size() == 3 && r.args().get(0) instanceof Value.ListValue;
        if (frontend.mailboxCommand(r, c, options ? 1 : 0)) {
            return;
        }
        metadata.getmetadata(r, c);
    }

    @Command(value = "SETMETADATA", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void setmetadata(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        metadata.setmetadata(r, c);
    }

    @Command(value = "MYRIGHTS", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void myrights(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        acl.myrights(r, c);
    }

    @Command(value = "GETQUOTA", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void getquota(TaggedRequest r, Connection c) {
        quota.getquota(r, c);
    }

    @Command(value = "GETQUOTAROOT", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void getquotaroot(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        quota.getquotaroot(r, c);
    }

    @Command(value = "SETQUOTA", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void setquota(TaggedRequest r, Connection c) {
        quota.setquota(r, c);
    }

    @Command(value = "IDLE", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void idle(TaggedRequest r, Connection c) {
        if (frontend.idle(r, c)) {
            return;
        }
        messages.idle(r, c);
    }

    @Command(value = "SEARCH", states = SessionState.SELECTED)
    public void search(TaggedRequest r, Connection c) {
        if (frontend.selected(r, c)) {
            return;
        }
        messages.search(r, c, false, r.args());
    }

    @Command(value = "COPY", states = SessionState.SELECTED)
    public void copy(TaggedRequest r, Connection c) {
        if (frontend.copyAcross(r, c, false, r.args(), false) || frontend.selected(r, c)) {
            return;
        }
        messages.copy(r, c, false, r.args(), target(r.args(), c), false);
    }

    @Command(value = "MOVE", states = SessionState.SELECTED)
    public void move(TaggedRequest r, Connection c) {
        if (frontend.copyAcross(r, c, false, r.args(), true) || frontend.selected(r, c)) {
            return;
        }
        messages.copy(r, c, false, r.args(), target(r.args(), c), true);
    }

    /** The internal name of the last argument (COPY/MOVE target), or null. */
    private String target(List<Value> args, Connection c) {
        if (args.size() != 2 || args.get(1).asString() == null) {
            return null;
        }
        return new MailboxNames(c.user(), namespaces.callerIsAdmin()).toInternal(args.get(1).asString());
    }

    /** UID FETCH, UID STORE, UID EXPUNGE (UIDPLUS), UID SEARCH, UID COPY, UID MOVE. */
    @Command(value = "UID", states = SessionState.SELECTED)
    public void uid(TaggedRequest r, Connection c) {
        String sub = r.args().isEmpty() || r.string(0) == null ? "" : r.string(0).toUpperCase(java.util.Locale.ROOT);
        List<Value> rest = r.args().isEmpty() ? List.of() : r.args().subList(1, r.args().size());
        if ((sub.equals("COPY") || sub.equals("MOVE")) && frontend.copyAcross(r, c, true, rest, sub.equals("MOVE"))
                || frontend.selected(r, c)) {
            return;
        }
        switch (sub) {
            case "FETCH" -> messages.fetch(r, c, true, rest);
            case "SEARCH" -> messages.search(r, c, true, rest);
            case "COPY" -> messages.copy(r, c, true, rest, target(rest, c), false);
            case "MOVE" -> messages.copy(r, c, true, rest, target(rest, c), true);
            case "STORE" -> messages.store(r, c, true, rest);
            case "EXPUNGE" -> {
                if (rest.size() != 1 || rest.get(0).asString() == null) {
                    c.write(r.tag() + " BAD UID EXPUNGE takes a UID set");
                } else {
                    messages.expunge(r, c, rest.get(0).asString(), false);
                }
            }
            default -> c.write(r.tag() + " BAD UID takes FETCH, STORE, SEARCH, COPY, MOVE or EXPUNGE");
        }
    }

    @Command("LOGOUT")
    public void logout(TaggedRequest r, Connection c) {
        if (!r.args().isEmpty()) {
            c.write(r.tag() + " BAD LOGOUT takes no arguments");
            return;
        }
        c.write("* BYE LOGOUT received");
        c.write(r.tag() + " OK Completed");
        c.setState(SessionState.LOGOUT);
        frontend.release(c); // after the answer: the client does not wait for it
    }

    /**
     * RFC 8437: back to not authenticated on the same connection; the selected mailbox is closed without an
     * expunge, ENABLEd extensions are off, and on a frontend the session's backend connections go back to
     * the pool. What a frontend does with its own pooled backend connections.
     */
    @Command(value = "UNAUTHENTICATE", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void unauthenticate(TaggedRequest r, Connection c) {
        if (!r.args().isEmpty()) {
            c.write(r.tag() + " BAD UNAUTHENTICATE takes no arguments");
            return;
        }
        frontend.release(c);
        c.unauthenticated();
        c.write(r.tag() + " OK Completed");
    }

    /** RFC 2971: the client's parameters are accepted (and not logged); ours are returned. */
    @Command("ID")
    public void id(TaggedRequest r, Connection c) {
        if (r.args().size() != 1 || !validIdParameters(r.args().get(0))) {
            c.write(r.tag() + " BAD ID takes NIL or a list of field/value pairs");
            return;
        }
        c.write("* ID (\"name\" \"Corvid\" \"version\" \"" + node.version() + "\" \"vendor\" \"Corvid\")");
        c.write(r.tag() + " OK Completed");
    }

    private static boolean validIdParameters(Value v) {
        if (v == Value.Nil.NIL) {
            return true;
        }
        if (!(v instanceof Value.ListValue list) || list.items().size() % 2 != 0 || list.items().size() > 60) {
            return false;
        }
        for (int i = 0; i < list.items().size(); i++) {
            Value item = list.items().get(i);
            boolean string = item instanceof Value.Quoted || item instanceof Value.Literal;
            if (!(string || (i % 2 == 1 && item == Value.Nil.NIL))) {
                return false;
            }
        }
        return true;
    }

    @Command(value = "LOGIN", states = SessionState.NOT_AUTHENTICATED)
    public void login(TaggedRequest r, Connection c) {
        List<Value> args = r.args();
        if (args.size() != 2 || r.string(0) == null || r.string(1) == null
                || args.get(0) instanceof Value.ListValue || args.get(1) instanceof Value.ListValue) {
            c.write(r.tag() + " BAD LOGIN takes a user name and a password");
            return;
        }
        if (!plaintextAllowed(c)) {
            c.write(r.tag() + " NO [PRIVACYREQUIRED] Use STARTTLS first");
            return;
        }
        complete(r, c, r.string(0), r.string(1), null);
    }

    /** SASL PLAIN, with an initial response (SASL-IR, RFC 4959) or after a continuation. */
    @Command(value = "AUTHENTICATE", states = SessionState.NOT_AUTHENTICATED)
    public void authenticate(TaggedRequest r, Connection c) {
        String mechanism = r.string(0);
        if (mechanism == null || r.args().size() > 2 || !(r.args().get(0) instanceof Value.Atom)) {
            c.write(r.tag() + " BAD AUTHENTICATE takes a mechanism and an optional initial response");
            return;
        }
        if (!"PLAIN".equalsIgnoreCase(mechanism)) {
            c.write(r.tag() + " NO Unsupported authentication mechanism");
            return;
        }
        if (!plaintextAllowed(c)) {
            c.write(r.tag() + " NO [PRIVACYREQUIRED] Use STARTTLS first");
            return;
        }
        if (r.args().size() == 1) {
            c.continueWith("+ ");
            return;
        }
        String response = r.string(1);
        if ("*".equals(response)) {
            c.write(r.tag() + " BAD AUTHENTICATE cancelled");
            return;
        }
        SaslPlain plain;
        try {
            plain = SaslPlain.decode(response);
        } catch (IllegalArgumentException e) {
            c.write(r.tag() + " BAD Invalid SASL PLAIN response");
            return;
        }
        complete(r, c, plain.authcid(), plain.password(), plain.authzid());
    }

    private void complete(TaggedRequest r, Connection c, String user, String password, String authzid) {
        SecurityIdentity identity = authenticator.authenticate(user, password, authzid);
        if (identity == null) {
            LOG.infof("[%s] authentication failed for %s from %s", c.id(), user, c.remoteAddress().getAddress());
            c.writeLater(r.tag() + " NO [AUTHENTICATIONFAILED] Authentication failed", failureDelay());
            return;
        }
        if (!locator.ready()) {
            c.write(r.tag() + " NO [UNAVAILABLE] Not yet synchronized with the mailbox list, try again shortly");
            return;
        }
        String name = identity.getPrincipal().getName();
        c.authenticated(name, identity);
        LOG.debugf("[%s] %s logged in", c.id(), name);
        autocreateInbox(c, name, identity);
        c.write(r.tag() + " OK [CAPABILITY " + capabilities(c) + "] User logged in");
    }

    /**
     * Creates a user's INBOX at first login ({@code corvid.imap.autocreate-inbox}, default true, as Cyrus's
     * {@code autocreate_quota}) on a backend; admins have none. A failure is logged, the login stands. On a
     * frontend: on the backend the placement policy picks, by logging in there.
     */
    private void autocreateInbox(Connection c, String user, SecurityIdentity identity) {
        if (identity.getRoles().contains(Namespaces.ADMIN_ROLE)
                || !Boolean.parseBoolean(System.getProperty("corvid.imap.autocreate-inbox", "true"))) {
            return;
        }
        if (!node.has(NodeConfig.Role.BACKEND)) {
            frontend.autocreateInbox(c);
            return;
        }
        String inbox = new MailboxNames(user, false).inbox();
        // a node that is also a frontend (a unified murder, a cluster) leaves alone an INBOX the list has on
        // another backend: it would only ask the master to reserve a name that exists
        if (MailboxNames.valid(inbox) && store.find(inbox) == null && !elsewhere(inbox)) {
            MailboxManager.Outcome o = manager.create(inbox, null, MailboxAcl.ownedBy(user));
            LOG.infof("[%s] autocreate INBOX of %s: %s", c.id(), user, o.text());
        }
    }

    private boolean elsewhere(String inbox) {
        if (!node.has(NodeConfig.Role.FRONTEND)) {
            return false;
        }
        var where = locator.locate(inbox).kind();
        return where == org.corvid.ejb.frontend.MailboxLocator.Kind.REMOTE
                || where == org.corvid.ejb.frontend.MailboxLocator.Kind.RESERVED;
    }

    @Command(value = "CREATE", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void create(TaggedRequest r, Connection c) {
        if (frontend.create(r, c)) {
            return;
        }
        mailboxes.create(r, c);
    }

    @Command(value = "DELETE", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void delete(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        mailboxes.delete(r, c);
    }

    @Command(value = "RENAME", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void rename(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        mailboxes.rename(r, c);
    }

    @Command(value = "SUBSCRIBE", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void subscribe(TaggedRequest r, Connection c) {
        if (frontend.subscriptions(r, c)) {
            return;
        }
        mailboxes.subscribe(r, c);
    }

    @Command(value = "UNSUBSCRIBE", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void unsubscribe(TaggedRequest r, Connection c) {
        if (frontend.subscriptions(r, c)) {
            return;
        }
        mailboxes.unsubscribe(r, c);
    }

    @Command(value = "LIST", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void list(TaggedRequest r, Connection c) {
        mailboxes.list(r, c);
    }

    @Command(value = "LSUB", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void lsub(TaggedRequest r, Connection c) {
        if (frontend.subscriptions(r, c)) {
            return;
        }
        mailboxes.lsub(r, c);
    }

    /** RLIST (RFC 2193): LIST, with remote mailboxes (a frontend lists them all anyway); the client takes referrals. */
    @Command(value = "RLIST", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void rlist(TaggedRequest r, Connection c) {
        frontend.clientTakesReferrals(c);
        mailboxes.list(r, c);
    }

    /** RLSUB (RFC 2193): LSUB; the client takes referrals. */
    @Command(value = "RLSUB", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void rlsub(TaggedRequest r, Connection c) {
        frontend.clientTakesReferrals(c);
        lsub(r, c);
    }

    @Command(value = "STATUS", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void status(TaggedRequest r, Connection c) {
        if (frontend.mailboxCommand(r, c, 0)) {
            return;
        }
        mailboxes.status(r, c);
    }

    @Command(value = "SELECT", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void select(TaggedRequest r, Connection c) {
        if (frontend.select(r, c)) {
            return;
        }
        mailboxes.select(r, c, false);
    }

    @Command(value = "EXAMINE", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void examine(TaggedRequest r, Connection c) {
        if (frontend.select(r, c)) {
            return;
        }
        mailboxes.select(r, c, true);
    }

    @Command(value = "CLOSE", states = SessionState.SELECTED)
    public void close(TaggedRequest r, Connection c) {
        if (frontend.selected(r, c)) {
            return;
        }
        mailboxes.close(r, c);
    }

    @Command(value = "UNSELECT", states = SessionState.SELECTED)
    public void unselect(TaggedRequest r, Connection c) {
        if (frontend.selected(r, c)) {
            return;
        }
        mailboxes.close(r, c);
    }

    /** RFC 2342; answered for the identity this command runs as, which must be the logged-in user. */
    @Command(value = "NAMESPACE", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
    public void namespace(TaggedRequest r, Connection c) {
        if (!r.args().isEmpty()) {
            c.write(r.tag() + " BAD NAMESPACE takes no arguments");
            return;
        }
        String caller = namespaces.caller();
        if (!caller.equals(c.user())) {
            LOG.errorf("[%s] command runs as %s but %s is logged in", c.id(), caller, c.user());
            c.write(r.tag() + " NO [SERVERBUG] Wrong identity");
            return;
        }
        c.write(namespaces.namespaceLine());
        c.write(r.tag() + " OK Completed");
    }

    @Command(value = "STARTTLS", states = SessionState.NOT_AUTHENTICATED)
    public void starttls(TaggedRequest r, Connection c) {
        if (!r.args().isEmpty()) {
            c.write(r.tag() + " BAD STARTTLS takes no arguments");
        } else if (!c.isTlsAvailable()) {
            c.write(r.tag() + " NO TLS is not available");
        } else {
            c.write(r.tag() + " OK Begin TLS negotiation now");
            c.startTls();
        }
    }

    private String capabilities(Connection c) {
        return ImapCapabilities.of(c, plaintextAllowedConfig(), frontend.offersReferrals());
    }

    private boolean plaintextAllowed(Connection c) {
        return c.isSecure() || plaintextAllowedConfig();
    }

    private static boolean plaintextAllowedConfig() {
        return Boolean.parseBoolean(System.getProperty("corvid.imap.allow-plaintext", "true"));
    }

    private static Duration failureDelay() {
        return Duration.ofMillis(Long.getLong("corvid.auth.failure-delay-ms", 1000));
    }
}
