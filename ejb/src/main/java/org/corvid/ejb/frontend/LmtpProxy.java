package org.corvid.ejb.frontend;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.corvid.ejb.backend.MessageSource;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.ejb.pop3.DotStuffing;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * The frontend's LMTP client to backends: one LMTP transaction per backend for the recipients it holds, on
 * connections from the adapter's pool ({@code java:/corvid/BackendConnectionFactory}) that stay open between
 * transactions (LMTP allows many per connection; an idle one is closed after 5 minutes). A backend that advertises {@code AUTH} is
 * authenticated as the proxy principal ({@code corvid.proxy.user}/{@code corvid.proxy.password}, by default the
 * MUPDATE credentials): Corvid and Cyrus backends require it from peers that are not on loopback. A backend
 * that cannot be reached, or fails before the message was handed over, gives each of its recipients
 * {@code 451 4.4.3}; a stale pooled connection is replaced, which is safe before the final dot.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class LmtpProxy {
    private static final Logger LOG = Logger.getLogger(LmtpProxy.class);

    @EJB
    private NodeConfig node;

    /**
     * Delivers {@code message} from {@code from} to {@code recipients} (addresses as the client wrote them) on
     * backend {@code server}; returns one reply per recipient, in order.
     */
    public List<String> deliver(String server, String from, List<String> recipients, MessageSource message) {
        BackendAddresses.Address address = BackendAddresses.of(server);
        for (int attempt = 0; ; attempt++) {
            BackendLmtp conn;
            try {
                conn = BackendLmtp.open(server, address, node.serverName());
            } catch (IOException e) {
                LOG.warnf("LMTP proxy: backend %s (%s:%d) unavailable: %s", server, address.host(), address.lmtpPort(), e.getMessage());
                return Collections.nCopies(recipients.size(), "451 4.4.3 Backend " + server + " unavailable, try again later");
            }
            Transaction t = new Transaction(recipients.size());
            long start = System.nanoTime();
            try {
                conn.transact(from, recipients, message, t);
                conn.metrics.command(start);
                conn.release(); // between transactions: the next one to this backend starts on it
                return t.replies;
            } catch (IOException e) {
                conn.close();
                if (!t.handedOver && !conn.fresh() && attempt < 3) {
                    continue; // a pooled connection the backend had closed: again, on another
                }
                LOG.warnf("LMTP proxy: backend %s failed during a delivery: %s", server, e.getMessage());
                for (int i = 0; i < t.replies.size(); i++) {
                    if (t.replies.get(i) == null) {
                        t.replies.set(i, "451 4.4.3 Backend " + server + " failed, try again later");
                    }
                }
                return t.replies;
            }
        }
    }

    /** The replies so far (null: none yet) and whether the message's final dot was sent. */
    private static final class Transaction {
        final List<String> replies;
        boolean handedOver;

        Transaction(int recipients) {
            replies = new ArrayList<>(Collections.nCopies(recipients, null));
        }
    }

    /** One LMTP connection to a backend, after LHLO (and AUTH when offered). */
    private static final class BackendLmtp extends BackendSocket {
        private BackendLmtp(String server, BackendAddresses.Address a) throws IOException {
            super("lmtp", server, a.host(), a.lmtpPort());
        }

        static BackendLmtp open(String server, BackendAddresses.Address a, String me) throws IOException {
            BackendLmtp c = new BackendLmtp(server, a);
            if (!c.fresh()) {
                return c; // pooled: greeted, LHLO and AUTH done, its last transaction finished
            }
            try {
                c.expect(c.reply(), "220");
                c.send("LHLO " + me);
                List<String> lhlo = c.replyLines();
                c.expect(lhlo.get(lhlo.size() - 1), "250");
                boolean auth = lhlo.stream().anyMatch(l -> l.length() > 4
                        && l.substring(4).toUpperCase(java.util.Locale.ROOT).matches("AUTH\\b.*\\bPLAIN\\b.*"));
                String user = ProxyCredentials.user();
                if (auth && !user.isEmpty()) {
                    c.send("AUTH PLAIN " + ProxyCredentials.plain(""));
                    c.expect(c.reply(), "235");
                }
                return c;
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            }
        }

        void transact(String from, List<String> recipients, MessageSource message, Transaction t) throws IOException {
            StringBuilder envelope = new StringBuilder("MAIL FROM:<").append(from).append(">\r\n");
            recipients.forEach(r -> envelope.append("RCPT TO:<").append(r).append(">\r\n"));
            envelope.append("DATA");
            send(envelope.toString()); // PIPELINING: the envelope in one write
            String mail = reply();
            List<Integer> accepted = new ArrayList<>();
            for (int i = 0; i < recipients.size(); i++) {
                String rcpt = reply();
                if (rcpt.startsWith("2") && mail.startsWith("2")) {
                    accepted.add(i);
                } else {
                    t.replies.set(i, mail.startsWith("2") ? rcpt : mail);
                }
            }
            String data = reply();
            if (!data.startsWith("354")) {
                for (int i : accepted) {
                    t.replies.set(i, data.startsWith("503") ? "451 4.4.3 Backend refused the message" : data);
                }
                send("RSET"); // the backend's transaction (MAIL) is still open: a pooled connection starts clean
                reply();
                return;
            }
            DotStuffing stuffing = new DotStuffing(-1);
            try (InputStream body = message.open()) {
                byte[] chunk = new byte[64 * 1024];
                for (int n; (n = body.read(chunk)) > 0; ) {
                    out.write(stuffing.feed(chunk, n));
                }
            }
            out.write(stuffing.finish());
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            t.handedOver = true;
            for (int i : accepted) {
                t.replies.set(i, reply());
            }
        }

        private void expect(String reply, String code) throws IOException {
            if (!reply.startsWith(code)) {
                throw new IOException("unexpected answer: " + reply);
            }
        }

        /** The last line of a (possibly multi-line) reply. */
        private String reply() throws IOException {
            List<String> lines = replyLines();
            return lines.get(lines.size() - 1);
        }

        private List<String> replyLines() throws IOException {
            List<String> lines = new ArrayList<>();
            while (true) {
                String line = line(4096);
                if (line.length() < 3) {
                    throw new IOException("malformed reply: " + line);
                }
                lines.add(line);
                if (line.length() == 3 || line.charAt(3) != '-') {
                    return lines;
                }
            }
        }
    }
}
