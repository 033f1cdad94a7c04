package org.corvid.jca.impl.mupdate;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.corvid.jca.api.mupdate.MupdateEntry;
import org.corvid.jca.api.mupdate.MupdateReply;

/**
 * One blocking client connection to a MUPDATE server (Corvid's or Cyrus's master): banner, SASL PLAIN login,
 * commands with every string sent as a {@code {n+}} literal (as Cyrus's own client does), responses read by
 * {@link MupdateResponseReader}. Used by one thread at a time (the pool, or a subscription's reader).
 */
final class MupdateClient implements Closeable {
    static final int MAX_LINE = 64 * 1024;
    static final int MAX_LITERAL = 1024 * 1024;

    private final Socket socket;
    private final BufferedInputStream in;
    private final OutputStream out;
    private final MupdateResponseReader reader;
    private final String master;
    private int tags;
    private volatile boolean broken;

    private MupdateClient(Socket socket, String master) throws IOException {
        this.socket = socket;
        this.master = master;
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
        this.reader = new MupdateResponseReader(in, MAX_LINE, MAX_LITERAL);
    }

    /**
     * Connects, reads the banner up to {@code * OK MUPDATE} and logs in with SASL PLAIN (initial response as a
     * literal, which Cyrus's master requires).
     */
    static MupdateClient open(String master, String user, String password, int connectTimeoutMs, int readTimeoutMs)
            throws IOException {
        int colon = master.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("MUPDATE master must be host:port, not '" + master + "'");
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(master.substring(0, colon), Integer.parseInt(master.substring(colon + 1))),
                    connectTimeoutMs);
            s.setSoTimeout(readTimeoutMs);
            MupdateClient c = new MupdateClient(s, master);
            c.banner();
            c.login(user, password);
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void banner() throws IOException {
        while (true) {
            MupdateResponse r = reader.next();
            if (!r.untagged()) {
                throw new ProtocolException("unexpected " + r.tag() + " " + r.keyword() + " in the banner of " + master);
            }
            if ("BYE".equals(r.keyword())) {
                throw new IOException(master + " refused the connection: BYE " + r.text());
            }
            if ("OK".equals(r.keyword())) {
                return;
            }
        }
    }

    private void login(String user, String password) throws IOException {
        byte[] plain = ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
        String tag = nextTag();
        send(tag + " AUTHENTICATE \"PLAIN\" " + literal(Base64.getEncoder().encodeToString(plain)));
        MupdateResponse r = completion(tag, null);
        if (!"OK".equals(r.keyword())) {
            throw new MupdateLoginException(master + " refused login as " + user + ": " + r.keyword() + " " + r.text());
        }
    }

    /** Thrown when the master refuses the credentials (no point retrying quickly). */
    static final class MupdateLoginException extends IOException {
        MupdateLoginException(String message) {
            super(message);
        }
    }

    String nextTag() {
        return "C" + (++tags);
    }

    /** A command's arguments as literals: {@code {n+}CRLF value}. */
    static String literal(String value) {
        return "{" + value.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + value;
    }

    /** Sends one command line (CRLF appended) and flushes. */
    void send(String line) throws IOException {
        try {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }

    MupdateResponse read() throws IOException {
        try {
            return reader.next();
        } catch (IOException e) {
            broken = true;
            throw e;
        }
    }

    /** Reads up to the completion of {@code tag}, giving its records to {@code records} (if not null). */
    MupdateResponse completion(String tag, Consumer<MupdateEntry> records) throws IOException {
        while (true) {
            MupdateResponse r = read();
            if (r.untagged()) {
                if ("BYE".equals(r.keyword())) {
                    broken = true;
                    throw new IOException(master + " closed the connection: BYE " + r.text());
                }
                continue;
            }
            if (!tag.equals(r.tag())) {
                broken = true;
                throw new ProtocolException("answer for " + r.tag() + " while waiting for " + tag);
            }
            if (r.completion()) {
                return r;
            }
            if (records != null) {
                records.accept(entry(r));
            }
        }
    }

    /** A MAILBOX, RESERVE or DELETE record as an entry. */
    static MupdateEntry entry(MupdateResponse r) throws ProtocolException {
        List<String> a = r.args();
        switch (r.keyword()) {
            case "MAILBOX":
                if (a.size() == 3) {
                    return new MupdateEntry(MupdateEntry.Kind.MAILBOX, a.get(0), a.get(1), a.get(2));
                }
                break;
            case "RESERVE":
                if (a.size() == 2) {
                    return new MupdateEntry(MupdateEntry.Kind.RESERVE, a.get(0), a.get(1), "");
                }
                break;
            case "DELETE":
                if (a.size() == 1) {
                    return new MupdateEntry(MupdateEntry.Kind.DELETE, a.get(0), null, null);
                }
                break;
            default:
        }
        throw new ProtocolException("unexpected record " + r.keyword() + " with " + a.size() + " arguments");
    }

    static MupdateReply reply(MupdateResponse r) {
        return new MupdateReply(MupdateReply.Status.valueOf(r.keyword()), r.text());
    }

    /** Runs one command whose string arguments go as literals and returns its completion. */
    MupdateReply command(String keyword, String... args) throws IOException {
        return command(null, keyword, args);
    }

    MupdateReply command(Consumer<MupdateEntry> records, String keyword, String... args) throws IOException {
        String tag = nextTag();
        send(line(tag, keyword, List.of(args)));
        return reply(completion(tag, records));
    }

    /** A command line: tag, keyword, and the string arguments as literals. */
    private static String line(String tag, String keyword, List<String> args) {
        StringBuilder line = new StringBuilder(tag).append(' ').append(keyword);
        for (String a : args) {
            line.append(' ').append(literal(a));
        }
        return line.toString();
    }

    /** Commands pipelined per window: bounded, so neither side's socket buffer fills while the other waits. */
    private static final int WINDOW = 128;

    /** Sends the writes a window at a time (one flush each), then reads the window's completions in order. */
    List<MupdateReply> pipeline(List<org.corvid.jca.api.mupdate.MupdateWrite> writes) throws IOException {
        List<MupdateReply> replies = new ArrayList<>(writes.size());
        for (int from = 0; from < writes.size(); from += WINDOW) {
            List<String> tags = new ArrayList<>();
            StringBuilder lines = new StringBuilder();
            for (var w : writes.subList(from, Math.min(writes.size(), from + WINDOW))) {
                String tag = nextTag();
                tags.add(tag);
                lines.append(line(tag, w.keyword(), w.args())).append("\r\n");
            }
            lines.setLength(lines.length() - 2);
            send(lines.toString());
            for (String tag : tags) {
                replies.add(reply(completion(tag, null)));
            }
        }
        return replies;
    }

    List<MupdateEntry> records(String keyword, String... args) throws IOException {
        List<MupdateEntry> found = new ArrayList<>();
        MupdateReply r = command(found::add, keyword, args);
        if (!r.ok()) {
            throw new IOException(keyword + " refused by " + master + ": " + r);
        }
        return found;
    }

    void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** True if the connection failed, was closed, or the server sent something unasked (e.g. BYE). */
    boolean unusable() {
        if (broken || socket.isClosed()) {
            return true;
        }
        try {
            return in.available() > 0;
        } catch (IOException e) {
            return true;
        }
    }

    String master() {
        return master;
    }

    /** LOGOUT (best effort) and close. */
    @Override
    public void close() {
        try {
            if (!broken && !socket.isClosed()) {
                socket.setSoTimeout(1000);
                send(nextTag() + " LOGOUT");
            }
        } catch (IOException ignored) {
            // closing anyway
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }

    /** Closes the socket at once (from another thread: unblocks a reader). */
    void abort() {
        broken = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
