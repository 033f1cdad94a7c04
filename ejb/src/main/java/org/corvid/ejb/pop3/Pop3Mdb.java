package org.corvid.ejb.pop3;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.corvid.ejb.backend.MailboxNames;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.ejb.backend.MessageStore;
import org.corvid.ejb.imap.Namespaces;
import org.corvid.ejb.frontend.MailboxLocator;
import org.corvid.ejb.frontend.Pop3Proxy;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.ejb.security.Authenticator;
import org.corvid.ejb.security.SaslPlain;
import org.corvid.jca.api.Command;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.LineRequest;
import org.corvid.jca.api.OnConnect;
import org.corvid.jca.api.Pop3Listener;
import org.corvid.jca.api.SessionState;
import org.jboss.ejb3.annotation.ResourceAdapter;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;
import org.wildfly.security.auth.server.SecurityIdentity;

/**
 * POP3 (RFC 1939, CAPA/RESP-CODES RFC 2449, STLS RFC 2595, SASL PLAIN RFC 5034) on the user's INBOX. The
 * maildrop is the INBOX as it was at login; DELE marks, QUIT (UPDATE state) sets \Deleted on the marked
 * messages and expunges exactly those, so IMAP sessions on the same INBOX keep working; a message an IMAP
 * session expunged meanwhile answers {@code -ERR}. Unique ids are {@code UIDVALIDITY.UID}, as in Cyrus.
 */
@MessageDriven(name = "Pop3Mdb", activationConfig = {
        @ActivationConfigProperty(propertyName = "beanClass", propertyValue = "org.corvid.ejb.pop3.Pop3Mdb"),
        @ActivationConfigProperty(propertyName = "port", propertyValue = "${corvid.pop3.port:1110}"),
})
@ResourceAdapter("corvid.ear#corvid-jca.rar")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@PermitAll
@SecurityDomain("corvid")
public class Pop3Mdb implements Pop3Listener {
    private static final Logger LOG = Logger.getLogger(Pop3Mdb.class);
    private static final String USER = "pop3.user";
    private static final String MAILDROP = "pop3.maildrop";
    private static final String PROXY = "pop3.proxy";

    @EJB
    private MailboxLocator locator;

    @EJB
    private NodeConfig node;

    @EJB
    private Authenticator authenticator;

    @EJB
    private MailboxStore mailboxes;

    @EJB
    private MessageStore messages;

    /** The INBOX as it was at login, and the messages marked for deletion. */
    private static final class Maildrop {
        final String mailbox;
        final long uidValidity;
        final List<MessageStore.Info> messages;
        final boolean[] deleted;

        Maildrop(String mailbox, long uidValidity, List<MessageStore.Info> messages) {
            this.mailbox = mailbox;
            this.uidValidity = uidValidity;
            this.messages = messages;
            this.deleted = new boolean[messages.size()];
        }

        /** The message numbered {@code arg} (1-based) if it exists and is not marked deleted, else null. */
        MessageStore.Info get(String arg) {
            try {
                int n = Integer.parseInt(arg.trim());
                return n >= 1 && n <= messages.size() && !deleted[n - 1] ? messages.get(n - 1) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private static Maildrop maildrop(Connection c) {
        return (Maildrop) c.attributes().get(MAILDROP);
    }

    @OnConnect
    public void greet(Connection c) {
        c.write("+OK " + node.serverName() + " Corvid POP3 " + node.version() + " server ready");
    }

    @Command(value = "CAPA", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void capa(LineRequest r, Connection c) {
        c.write("+OK Capability list follows");
        if (c.state() == SessionState.NOT_AUTHENTICATED) {
            c.write("USER");
            c.write("SASL PLAIN");
            if (c.isTlsAvailable()) {
                c.write("STLS");
            }
        }
        c.write("TOP");
        c.write("UIDL");
        c.write("PIPELINING");
        c.write("RESP-CODES");
        c.write("AUTH-RESP-CODE");
        c.write("IMPLEMENTATION Corvid");
        c.write(".");
    }

    @Command(value = "STLS", states = SessionState.NOT_AUTHENTICATED)
    public void stls(LineRequest r, Connection c) {
        if (!c.isTlsAvailable()) {
            c.write("-ERR TLS not available");
            return;
        }
        c.write("+OK Begin TLS negotiation");
        c.startTls();
    }

    @Command(value = "USER", states = SessionState.NOT_AUTHENTICATED)
    public void user(LineRequest r, Connection c) {
        if (r.arguments().isBlank()) {
            c.write("-ERR USER needs a name");
            return;
        }
        c.attributes().put(USER, r.arguments().trim());
        c.write("+OK Name is a valid mailbox");
    }

    @Command(value = "PASS", states = SessionState.NOT_AUTHENTICATED)
    public void pass(LineRequest r, Connection c) {
        Object user = c.attributes().remove(USER);
        if (user == null) {
            c.write("-ERR USER first");
            return;
        }
        login(c, (String) user, r.arguments(), null);
    }

    /** AUTH PLAIN [initial-response] (RFC 5034); the response may follow a "+ " continuation. */
    @Command(value = "AUTH", states = SessionState.NOT_AUTHENTICATED)
    public void auth(LineRequest r, Connection c) {
        String[] a = r.arguments().trim().split(" ");
        if (a.length == 0 || a[0].isEmpty()) {
            c.write("-ERR AUTH needs a mechanism");
        } else if (!a[0].equalsIgnoreCase("PLAIN")) {
            c.write("-ERR Unsupported authentication mechanism");
        } else if (a.length == 1) {
            c.continueWith("+ ");
        } else if (a[1].equals("*")) {
            c.write("-ERR Authentication cancelled");
        } else {
            try {
                SaslPlain plain = SaslPlain.decode(a[1]);
                login(c, plain.authcid(), plain.password(), plain.authzid());
            } catch (IllegalArgumentException e) {
                c.write("-ERR Invalid SASL PLAIN response");
            }
        }
    }

    private void login(Connection c, String user, String password, String authzid) {
        SecurityIdentity identity = authenticator.authenticate(user, password, authzid);
        if (identity == null) {
            LOG.infof("[%s] authentication failed for %s from %s", c.id(), user, c.remoteAddress().getAddress());
            c.writeLater("-ERR [AUTH] Authentication failed",
                    Duration.ofMillis(Long.getLong("corvid.auth.failure-delay-ms", 1000)));
            return;
        }
        if (!locator.ready()) {
            c.write("-ERR [SYS/TEMP] Not yet synchronized with the mailbox list, try again shortly");
            return;
        }
        String name = identity.getPrincipal().getName();
        String inbox = new MailboxNames(name, identity.getRoles().contains(Namespaces.ADMIN_ROLE)).inbox();
        MailboxStore.Info m = inbox == null || !node.has(NodeConfig.Role.BACKEND) ? null : mailboxes.find(inbox);
        if (m == null && inbox != null && node.has(NodeConfig.Role.FRONTEND)) {
            proxy(c, name, identity, inbox);
            return;
        }
        if (m == null) {
            c.write("-ERR [SYS/PERM] No INBOX for " + name);
            return;
        }
        c.authenticated(name, identity);
        Maildrop drop = new Maildrop(inbox, m.uidValidity(), messages.messages(inbox));
        c.attributes().put(MAILDROP, drop);
        c.write("+OK Maildrop ready, " + drop.messages.size() + " messages");
    }

    /** Frontend: the INBOX is on another backend; the rest of the session goes through to it. */
    private void proxy(Connection c, String name, SecurityIdentity identity, String inbox) {
        MailboxLocator.Route route = locator.locate(inbox);
        switch (route.kind()) {
            case REMOTE -> {
                try {
                    String[] ready = new String[1];
                    Pop3Proxy p = Pop3Proxy.open(route.server(), name, answer -> ready[0] = answer);
                    if (c.state() == SessionState.LOGOUT) { // the client left while the backend was dialled
                        p.close();
                        return;
                    }
                    c.authenticated(name, identity);
                    c.attributes().put(PROXY, p);
                    c.write(ready[0]); // the backend's "+OK Maildrop ready, n messages"
                } catch (IOException e) {
                    LOG.warnf("[%s] POP3 proxy to %s for %s failed: %s", c.id(), route.server(), name, e.getMessage());
                    c.write("-ERR [SYS/TEMP] Backend unavailable, try again later");
                }
            }
            case RESERVED -> c.write("-ERR [SYS/TEMP] Maildrop is being moved, try again later");
            case UNAVAILABLE -> c.write("-ERR [SYS/TEMP] Mailbox list unavailable, try again later");
            default -> c.write("-ERR [SYS/PERM] No INBOX for " + name);
        }
    }

    /** On a proxied session: sends the command to the backend and its answer to the client; true if so. */
    private static boolean relayed(LineRequest r, Connection c, boolean multiLine) {
        Pop3Proxy p = (Pop3Proxy) c.attributes().get(PROXY);
        if (p == null) {
            return false;
        }
        try {
            p.relay(r.name() + (r.arguments().isBlank() ? "" : " " + r.arguments().trim()), multiLine, c::write, c::writeRaw);
        } catch (IOException e) {
            LOG.warnf("[%s] POP3 proxy: backend connection lost: %s", c.id(), e.getMessage());
            c.write("-ERR [SYS/TEMP] Backend connection lost");
            c.setState(SessionState.LOGOUT);
        }
        return true;
    }

    @Command(value = "STAT", states = SessionState.AUTHENTICATED)
    public void stat(LineRequest r, Connection c) {
        if (relayed(r, c, false)) {
            return;
        }
        Maildrop d = maildrop(c);
        long count = 0;
        long size = 0;
        for (int i = 0; i < d.messages.size(); i++) {
            if (!d.deleted[i]) {
                count++;
                size += d.messages.get(i).size();
            }
        }
        c.write("+OK " + count + " " + size);
    }

    @Command(value = "LIST", states = SessionState.AUTHENTICATED)
    public void list(LineRequest r, Connection c) {
        listing(r, c, false);
    }

    @Command(value = "UIDL", states = SessionState.AUTHENTICATED)
    public void uidl(LineRequest r, Connection c) {
        listing(r, c, true);
    }

    private void listing(LineRequest r, Connection c, boolean uids) {
        if (relayed(r, c, r.arguments().isBlank())) {
            return;
        }
        Maildrop d = maildrop(c);
        if (!r.arguments().isBlank()) {
            MessageStore.Info m = d.get(r.arguments());
            c.write(m == null ? "-ERR No such message"
                    : "+OK " + r.arguments().trim() + " " + (uids ? d.uidValidity + "." + m.uid() : m.size()));
            return;
        }
        c.write("+OK");
        for (int i = 0; i < d.messages.size(); i++) {
            if (!d.deleted[i]) {
                MessageStore.Info m = d.messages.get(i);
                c.write((i + 1) + " " + (uids ? d.uidValidity + "." + m.uid() : m.size()));
            }
        }
        c.write(".");
    }

    @Command(value = "RETR", states = SessionState.AUTHENTICATED)
    public void retr(LineRequest r, Connection c) {
        if (relayed(r, c, true)) {
            return;
        }
        send(c, maildrop(c).get(r.arguments()), -1);
    }

    @Command(value = "TOP", states = SessionState.AUTHENTICATED)
    public void top(LineRequest r, Connection c) {
        if (relayed(r, c, true)) {
            return;
        }
        String[] a = r.arguments().trim().split("\\s+");
        int lines;
        try {
            lines = a.length == 2 ? Integer.parseInt(a[1]) : -1;
        } catch (NumberFormatException e) {
            lines = -1;
        }
        if (lines < 0) {
            c.write("-ERR TOP needs a message number and a line count");
            return;
        }
        send(c, maildrop(c).get(a[0]), lines);
    }

    /** The message (all of it, or its header and {@code bodyLines} lines), dot-stuffed, then ".". */
    /** RETR / TOP: the message (or its top), dot-stuffed, streamed from its file in chunks. */
    private void send(Connection c, MessageStore.Info m, int bodyLines) {
        if (m == null) {
            c.write("-ERR No such message");
            return;
        }
        InputStream in;
        try {
            in = messages.open(m);
        } catch (UncheckedIOException e) {
            c.write("-ERR Message was deleted by another session");
            return;
        }
        try (in) {
            c.write("+OK " + m.size() + " octets");
            DotStuffing stuffing = new DotStuffing(bodyLines);
            byte[] chunk = new byte[64 * 1024];
            for (int n; !stuffing.done() && (n = in.readNBytes(chunk, 0, chunk.length)) > 0; ) {
                c.writeRaw(stuffing.feed(chunk, n));
            }
            c.writeRaw(stuffing.finish());
            c.write(".");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Command(value = "DELE", states = SessionState.AUTHENTICATED)
    public void dele(LineRequest r, Connection c) {
        if (relayed(r, c, false)) {
            return;
        }
        Maildrop d = maildrop(c);
        MessageStore.Info m = d.get(r.arguments());
        if (m == null) {
            c.write("-ERR No such message");
            return;
        }
        d.deleted[d.messages.indexOf(m)] = true;
        c.write("+OK Message deleted");
    }

    @Command(value = "RSET", states = SessionState.AUTHENTICATED)
    public void rset(LineRequest r, Connection c) {
        if (relayed(r, c, false)) {
            return;
        }
        java.util.Arrays.fill(maildrop(c).deleted, false);
        c.write("+OK");
    }

    @Command(value = "NOOP", states = SessionState.AUTHENTICATED)
    public void noop(LineRequest r, Connection c) {
        if (relayed(r, c, false)) {
            return;
        }
        c.write("+OK");
    }

    /** In the transaction state: the UPDATE state, removing the messages marked with DELE. */
    @Command(value = "QUIT", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void quit(LineRequest r, Connection c) {
        if (relayed(r, c, false)) { // the backend's UPDATE state; the connection to it closes with this one
            c.setState(SessionState.LOGOUT);
            return;
        }
        Maildrop d = maildrop(c);
        if (d != null) {
            List<Long> marked = new ArrayList<>();
            for (int i = 0; i < d.messages.size(); i++) {
                if (d.deleted[i]) {
                    marked.add(d.messages.get(i).uid());
                }
            }
            if (!marked.isEmpty()) {
                try {
                    messages.setFlags(d.mailbox, marked, MessageStore.FlagChange.ADD, Set.of("\\Deleted"));
                    messages.expunge(d.mailbox, marked);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "[%s] POP3 update of %s failed", c.id(), d.mailbox);
                    c.write("-ERR [SYS/TEMP] Some deleted messages not removed");
                    c.setState(SessionState.LOGOUT);
                    return;
                }
            }
        }
        c.write("+OK bye");
        c.setState(SessionState.LOGOUT);
    }
}
