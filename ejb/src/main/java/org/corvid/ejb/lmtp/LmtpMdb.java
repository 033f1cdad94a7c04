package org.corvid.ejb.lmtp;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.corvid.ejb.backend.MailboxAcl;
import org.corvid.ejb.backend.DeliveryWriter;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.ejb.backend.MessageSource;
import org.corvid.ejb.backend.MessageStore;
import org.corvid.ejb.imap.Namespaces;
import org.corvid.ejb.frontend.LmtpProxy;
import org.corvid.ejb.frontend.MailboxLocator;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.ejb.security.Authenticator;
import org.corvid.ejb.security.SaslPlain;
import org.corvid.jca.api.Command;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.LineRequest;
import org.corvid.jca.api.LmtpListener;
import org.corvid.jca.api.OnConnect;
import org.corvid.jca.api.SessionState;
import org.jboss.ejb3.annotation.ResourceAdapter;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;
import org.wildfly.security.auth.server.SecurityIdentity;

/**
 * LMTP (RFC 2033) delivery into this backend's mailboxes: LHLO, MAIL FROM, RCPT TO, DATA with one reply per
 * recipient, RSET, NOOP, QUIT; PIPELINING, 8BITMIME, ENHANCEDSTATUSCODES, SIZE. {@code user+detail} goes to
 * {@code INBOX.detail} when it exists and {@code anyone} may post there (right {@code p}), else to INBOX, as
 * in Cyrus. A recipient gets {@code 250} only once its copy is durable (spool file forced, row committed).
 * As Cyrus's lmtpd over TCP: peers on the loopback interface may deliver at once, others must first
 * {@code AUTH PLAIN} (RFC 4954) as a user in one of {@code corvid.lmtp.auth-roles} (default: administrators and
 * frontends, whose LMTP proxy delivers here, and murder backends: a unified node's proxy is its MUPDATE principal).
 * <p>On a frontend, a recipient whose INBOX is not on this node is routed by the mailbox list
 * ({@link MailboxLocator}) and delivered by {@link LmtpProxy}, one transaction per backend, with one reply per
 * recipient to the client: {@code 451 4.4.3} when its backend is down or the list cannot be consulted,
 * {@code 451 4.2.1} while it stays RESERVED (a delivery waits up to {@code corvid.lmtp.move-hold-seconds}, default 60,
 * for a move's final phase to end), {@code 550 5.1.1} only when the master confirms there is no such user.
 */
@MessageDriven(name = "LmtpMdb", activationConfig = {
        @ActivationConfigProperty(propertyName = "beanClass", propertyValue = "org.corvid.ejb.lmtp.LmtpMdb"),
        @ActivationConfigProperty(propertyName = "port", propertyValue = "${corvid.lmtp.port:2424}"),
})
@ResourceAdapter("corvid.ear#corvid-jca.rar")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@PermitAll
@SecurityDomain("corvid")
public class LmtpMdb implements LmtpListener {
    private static final Logger LOG = Logger.getLogger(LmtpMdb.class);
    private static final String TRANSACTION = "lmtp.transaction";
    private static final Pattern MAIL = Pattern.compile("(?i)FROM:\\s*<([^>]*)>(.*)");
    private static final Pattern RCPT = Pattern.compile("(?i)TO:\\s*<([^>]*)>(.*)");
    private static final Pattern SIZE = Pattern.compile("(?i)(?:^|\\s)SIZE=(\\d{1,18})(?:\\s|$)");
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    @EJB
    private NodeConfig node;

    // the node's settings, fixed at its start, read once per instance rather than through an EJB call per command
    private String serverName;
    private String version;
    private boolean backend;
    private boolean frontend;

    @EJB
    private MailboxStore mailboxes;

    @EJB
    private MessageStore messages;

    @EJB
    private Authenticator authenticator;

    @EJB
    private DeliveryWriter writer;

    @EJB
    private MailboxLocator locator;

    @EJB
    private org.corvid.ejb.move.MoveFence fence;

    @EJB
    private LmtpProxy proxy;

    /** The envelope of the transaction in progress. */
    private static final class Envelope {
        String from;
        final List<String> recipients = new ArrayList<>();  // as the client wrote them
        final List<MessageStore.Place> mailboxes = new ArrayList<>(); // same order (null: on another backend)
        final List<String> servers = new ArrayList<>();     // the other backend holding it (null: here)

        void add(String recipient, MessageStore.Place mailbox, String server) {
            recipients.add(recipient);
            mailboxes.add(mailbox);
            servers.add(server);
        }
    }

    private static long maxMessage() {
        return Long.getLong("corvid.lmtp.max-message", 64L * 1024 * 1024);
    }

    @OnConnect
    public void greet(Connection c) {
        c.write("220 " + serverName + " Corvid LMTP " + version + " server ready");
    }

    @PostConstruct
    void init() {
        serverName = node.serverName();
        version = node.version();
        backend = node.has(NodeConfig.Role.BACKEND);
        frontend = node.has(NodeConfig.Role.FRONTEND);
    }

    @Command(value = "LHLO", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void lhlo(LineRequest r, Connection c) {
        if (r.arguments().isBlank()) {
            c.write("501 5.5.4 LHLO needs a domain");
            return;
        }
        c.attributes().remove(TRANSACTION);
        c.write("250-" + serverName);
        c.write("250-PIPELINING");
        c.write("250-8BITMIME");
        c.write("250-ENHANCEDSTATUSCODES");
        if (c.state() == SessionState.NOT_AUTHENTICATED && plaintextAllowed(c)) {
            c.write("250-AUTH PLAIN");
        }
        c.write("250 SIZE " + maxMessage());
    }

    @Command(value = "MAIL", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void mail(LineRequest r, Connection c) {
        Matcher m = MAIL.matcher(r.arguments());
        if (!m.matches()) {
            c.write("501 5.5.4 Syntax: MAIL FROM:<address>");
            return;
        }
        if (c.attributes().get(TRANSACTION) != null) {
            c.write("503 5.5.1 Nested MAIL command");
            return;
        }
        if (c.state() == SessionState.NOT_AUTHENTICATED && !c.remoteAddress().getAddress().isLoopbackAddress()) {
            c.write("530 5.7.0 Authentication required");
            return;
        }
        Matcher size = SIZE.matcher(m.group(2));
        if (size.find() && Long.parseLong(size.group(1)) > maxMessage()) {
            c.write("552 5.3.4 Message size exceeds fixed maximum message size");
            return;
        }
        Envelope e = new Envelope();
        e.from = m.group(1);
        c.attributes().put(TRANSACTION, e);
        c.write("250 2.1.0 Ok");
    }

    /** AUTH PLAIN [initial-response] (RFC 4954); the response may follow a {@code 334} continuation. */
    @Command(value = "AUTH", states = SessionState.NOT_AUTHENTICATED)
    public void auth(LineRequest r, Connection c) {
        String[] a = r.arguments().trim().split(" ");
        if (c.attributes().get(TRANSACTION) != null) {
            c.write("503 5.5.1 AUTH not allowed during a mail transaction");
        } else if (a[0].isEmpty()) {
            c.write("501 5.5.4 AUTH needs a mechanism");
        } else if (!a[0].equalsIgnoreCase("PLAIN")) {
            c.write("504 5.5.4 Unrecognized authentication type");
        } else if (!plaintextAllowed(c)) {
            c.write("538 5.7.11 Encryption required for requested authentication mechanism");
        } else if (a.length == 1) {
            c.continueWith("334 ");
        } else if (a[1].equals("*")) {
            c.write("501 5.0.0 Authentication cancelled");
        } else {
            SaslPlain plain;
            try {
                plain = SaslPlain.decode(a[1]);
            } catch (IllegalArgumentException e) {
                c.write("501 5.5.2 Invalid SASL PLAIN response");
                return;
            }
            SecurityIdentity identity = authenticator.authenticate(plain.authcid(), plain.password(), plain.authzid());
            if (identity == null || !mayDeliver(identity)) {
                LOG.infof("[%s] LMTP authentication failed for %s from %s", c.id(), plain.authcid(), c.remoteAddress().getAddress());
                c.writeLater("535 5.7.8 Authentication credentials invalid",
                        Duration.ofMillis(Long.getLong("corvid.auth.failure-delay-ms", 1000)));
                return;
            }
            c.authenticated(identity.getPrincipal().getName(), identity);
            c.write("235 2.7.0 Authentication successful");
        }
    }

    /** RFC 4954 4: PLAIN on an unencrypted connection only while {@code corvid.lmtp.allow-plaintext} (default true). */
    private static boolean plaintextAllowed(Connection c) {
        return c.isSecure() || Boolean.parseBoolean(System.getProperty("corvid.lmtp.allow-plaintext", "true"));
    }

    private static boolean mayDeliver(SecurityIdentity identity) {
        for (String role : System.getProperty("corvid.lmtp.auth-roles", Namespaces.ADMIN_ROLE + ",corvid-frontend,corvid-backend").split(",")) {
            if (identity.getRoles().contains(role.trim())) {
                return true;
            }
        }
        return false;
    }

    @Command(value = "RCPT", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void rcpt(LineRequest r, Connection c) {
        Envelope e = (Envelope) c.attributes().get(TRANSACTION);
        Matcher m = RCPT.matcher(r.arguments());
        if (e == null) {
            c.write("503 5.5.1 Need MAIL command");
        } else if (!m.matches() || m.group(1).isEmpty()) {
            c.write("501 5.5.4 Syntax: RCPT TO:<address>");
        } else {
            String address = m.group(1);
            String inbox = inboxOf(address);
            boolean held = inbox != null && backend && fence.frozen(inbox);
            if (held && !fence.awaitThawed(inbox, moveHold())) {
                c.write("451 4.2.1 Mailbox is being moved, try again later");
                return;
            }
            MessageStore.Place mailbox = inbox == null || !backend ? null : mailboxFor(address, inbox);
            boolean moving = mailbox == null && inbox != null && backend
                    && (held || mailboxes.moving(inbox)); // moved out just now, or being copied in
            if (moving && !frontend) {
                c.write("451 4.2.1 Mailbox is moving between servers, try again later");
            } else if (mailbox != null) {
                e.add(address, mailbox, null);
                c.write("250 2.1.5 Ok");
            } else if (inbox == null || !frontend) {
                c.write("550 5.1.1 Mailbox unknown");
            } else {
                route(c, e, address, inbox);
            }
        }
    }

    /** How long a delivery to a mailbox in a move's final phase waits ({@code corvid.lmtp.move-hold-seconds}). */
    private static java.time.Duration moveHold() {
        return java.time.Duration.ofSeconds(Long.getLong("corvid.lmtp.move-hold-seconds", 60));
    }

    private MailboxLocator.Route locateHeld(String inbox) {
        return locator.locateHeld(inbox, moveHold());
    }

    /** Frontend: a recipient whose INBOX is not here goes to the backend the mailbox list names. */
    private void route(Connection c, Envelope e, String address, String inbox) {
        MailboxLocator.Route route = locateHeld(inbox);
        switch (route.kind()) {
            case REMOTE -> {
                e.add(address, null, route.server());
                c.write("250 2.1.5 Ok");
            }
            case RESERVED -> c.write("451 4.2.1 Mailbox is being created or moved, try again later");
            case UNKNOWN -> c.write("550 5.1.1 Mailbox unknown");
            case UNAVAILABLE -> c.write("451 4.4.3 Mailbox list unavailable, try again later");
            // the list places it here, yet this backend lacks it: a resync will tell which is right
            case LOCAL -> c.write(mailboxes.moving(inbox) ? "451 4.2.1 Mailbox is moving between servers, try again later"
                    : "451 4.3.0 Mailbox list and store disagree, try again later");
        }
    }

    /** {@code user[+detail][@domain]} → {@code user.<user>}, or null if that is no user name. */
    private static String inboxOf(String address) {
        int at = address.lastIndexOf('@');
        String local = (at < 0 ? address : address.substring(0, at)).toLowerCase(Locale.ROOT);
        int plus = local.indexOf('+');
        String user = plus < 0 ? local : local.substring(0, plus);
        if (user.isEmpty() || user.indexOf('.') >= 0 || user.indexOf('*') >= 0 || user.indexOf('%') >= 0) {
            return null;
        }
        return "user." + user;
    }

    /** The local mailbox for {@code address}: {@code inbox}, or its {@code .detail} child; null if not here. */
    private MessageStore.Place mailboxFor(String address, String inbox) {
        MessageStore.Place place = messages.place(inbox);
        if (place == null) {
            return null;
        }
        int at = address.lastIndexOf('@');
        String local = (at < 0 ? address : address.substring(0, at)).toLowerCase(Locale.ROOT);
        int plus = local.indexOf('+');
        if (plus >= 0 && plus + 1 < local.length()) {
            MailboxStore.Info detail = mailboxes.find(inbox + "." + local.substring(plus + 1));
            MessageStore.Place detailPlace = detail != null && MailboxAcl.parse(detail.acl()).allows("anyone", 'p')
                    ? messages.place(detail.name()) : null;
            if (detailPlace != null) {
                return detailPlace;
            }
        }
        return place;
    }

    @Command(value = "DATA", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void data(LineRequest r, Connection c) {
        Envelope e = (Envelope) c.attributes().get(TRANSACTION);
        if (!r.hasMessage()) {
            if (e == null) {
                c.write("503 5.5.1 Need MAIL command");
            } else if (e.recipients.isEmpty()) {
                c.write("503 5.5.1 No valid recipients");
            } else {
                c.receiveMessage("354 Go ahead, end with <CRLF>.<CRLF>", maxMessage());
            }
            return;
        }
        c.attributes().remove(TRANSACTION);
        if (e == null) {
            return;
        }
        if (r.messageTooBig()) {
            e.recipients.forEach(x -> c.write("552 5.3.4 Message size exceeds fixed maximum message size"));
            return;
        }
        MessageSource received = r.messageFile() != null ? MessageSource.of(r.messageFile(), size(r.messageFile()))
                : MessageSource.of(r.message());
        MessageSource message = received.withPrefix(traceHeaders(e, c));
        // every local copy's spool file is written first (in parallel with other sessions), then stored by the
        // delivery writer, which commits concurrent deliveries together; each reply waits for its commit
        List<CompletableFuture<Long>> stored = new ArrayList<>();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).withNano(0);
        for (MessageStore.Place mailbox : e.mailboxes) {
            if (mailbox == null) {
                stored.add(null); // on another backend
                continue;
            }
            try {
                MessageStore.Staged staged = messages.stage(mailbox, message, Set.of(), now);
                stored.add(staged == null ? CompletableFuture.completedFuture(-1L) : writer.submit(staged));
            } catch (RuntimeException ex) {
                stored.add(CompletableFuture.failedFuture(ex));
            }
        }
        Map<Integer, String> proxied = proxy(e, received); // the backend adds its own trace headers
        for (int i = 0; i < e.recipients.size(); i++) {
            if (proxied.containsKey(i)) {
                c.write(proxied.get(i));
                continue;
            }
            try {
                long uid = stored.get(i).get(); // always completes: see DeliveryWriter.submit
                if (uid == MessageStore.OVER_QUOTA) {
                    c.write("452 4.2.2 Over quota");
                } else if (uid < 0) {
                    c.write("550 5.1.1 Mailbox unknown");
                } else {
                    LOG.debugf("[%s] delivered %d bytes to %s as UID %d", c.id(), message.size(), e.mailboxes.get(i).mailbox(), uid);
                    c.write("250 2.1.5 Ok");
                }
            } catch (InterruptedException | ExecutionException | RuntimeException ex) {
                LOG.errorf(ex, "[%s] delivery to %s failed", c.id(), e.mailboxes.get(i).mailbox());
                c.write("451 4.3.0 Temporary failure, try again later");
            }
        }
    }

    /**
     * The recipients on other backends, one LMTP transaction per backend; their replies by recipient index. A
     * backend that answers {@code 451 4.2.1} for a mailbox it has just moved away (or is moving) gets no say: the
     * recipient is routed again, after the move, and delivered where the mailbox is now.
     */
    private Map<Integer, String> proxy(Envelope e, MessageSource message) {
        Map<Integer, String> servers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < e.servers.size(); i++) {
            if (e.servers.get(i) != null) {
                servers.put(i, e.servers.get(i));
            }
        }
        Map<Integer, String> replies = new java.util.HashMap<>();
        for (int attempt = 0; attempt < MOVE_REROUTES && !servers.isEmpty(); attempt++) {
            Map<String, List<Integer>> byServer = new java.util.LinkedHashMap<>();
            servers.forEach((i, server) -> byServer.computeIfAbsent(server, s -> new ArrayList<>()).add(i));
            Map<Integer, String> again = new java.util.LinkedHashMap<>();
            byServer.forEach((server, indexes) -> {
                List<String> answers = proxy.deliver(server, e.from, indexes.stream().map(e.recipients::get).toList(), message);
                for (int k = 0; k < indexes.size(); k++) {
                    int i = indexes.get(k);
                    replies.put(i, answers.get(k));
                    if (answers.get(k).startsWith("451 4.2.1")) {
                        pause(REROUTE_PAUSE_MILLIS);
                        locator.catchUp(); // the backend knows of the move before this node's list may
                        MailboxLocator.Route now = locateHeld(inboxOf(e.recipients.get(i)));
                        if (now.kind() == MailboxLocator.Kind.REMOTE) {
                            again.put(i, now.server());
                        }
                    }
                }
            });
            servers = again;
        }
        return replies;
    }

    /** How often a delivery follows a mailbox that moved under it, and the pause before each time. */
    private static final int MOVE_REROUTES = 5;
    private static final long REROUTE_PAUSE_MILLIS = 200;

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Return-Path and Received, as Cyrus's lmtpd adds them. */
    private byte[] traceHeaders(Envelope e, Connection c) {
        return ("Return-Path: <" + e.from + ">\r\n"
                + "Received: from " + c.remoteAddress().getAddress().getHostAddress() + " by " + serverName
                + " (Corvid LMTP " + version + "); " + RFC5322.format(OffsetDateTime.now(ZoneOffset.UTC)) + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Command(value = "RSET", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void rset(LineRequest r, Connection c) {
        c.attributes().remove(TRANSACTION);
        c.write("250 2.0.0 Ok");
    }

    @Command(value = "NOOP", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void noop(LineRequest r, Connection c) {
        c.write("250 2.0.0 Ok");
    }

    @Command(value = "QUIT", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void quit(LineRequest r, Connection c) {
        c.write("221 2.0.0 bye");
        c.setState(SessionState.LOGOUT);
    }
}
