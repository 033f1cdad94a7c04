package org.corvid.ejb.frontend;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.Value;

/**
 * A frontend's IMAP session on one backend for one client session: authenticated as the proxy principal acting
 * for the user ({@code AUTHENTICATE PLAIN} with an authorization id, Cyrus's {@code proxyservers}), so the
 * backend resolves mailbox names in the user's own namespace and the client's commands go through unchanged.
 * A command is written with its own tag (literals as {@code LITERAL+}); everything the backend answers up to
 * the tagged completion goes to the client byte for byte (literals in chunks, so a large message is never
 * held whole), the completion with the client's tag.
 */
public final class ImapProxy extends BackendSocket {
    private static final int MAX_LINE = 1024 * 1024;
    private static final int CHUNK = 64 * 1024;
    private static final int LOGIN_TIMEOUT_MS = 10_000;
    private final String server;
    private int tags;
    private boolean unauthenticate; // the backend offers UNAUTHENTICATE: the connection can go back to the pool

    private ImapProxy(String server, BackendAddresses.Address a) throws IOException {
        super("imap", server, a.host(), a.imapPort());
        this.server = server;
    }

    public String server() {
        return server;
    }

    /** Connects to {@code server} and authenticates for {@code user}. */
    public static ImapProxy open(String server, String user) throws IOException {
        ImapProxy p = new ImapProxy(server, BackendAddresses.of(server));
        try {
            // a backend that accepts the connection but does not answer is "unavailable" after 10 s, not 2 x 120 s
            p.readTimeout(LOGIN_TIMEOUT_MS);
            if (p.fresh()) { // else a pooled connection, not authenticated since its last session's UNAUTHENTICATE
                String greeting = p.line(MAX_LINE);
                if (!greeting.startsWith("* OK")) {
                    throw new IOException("backend greeting: " + greeting);
                }
            }
            p.send("P0 AUTHENTICATE PLAIN " + ProxyCredentials.plain(user));
            String line;
            while (!(line = p.line(MAX_LINE)).startsWith("P0 ")) {
                p.unauthenticate |= offersUnauthenticate(line); // an untagged CAPABILITY
            }
            if (!line.startsWith("P0 OK")) {
                throw new IOException("backend refused the proxy login: " + line);
            }
            p.unauthenticate |= offersUnauthenticate(line);
            p.readTimeout(defaultReadTimeout());
            return p;
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    private static boolean offersUnauthenticate(String line) {
        return line.toUpperCase(java.util.Locale.ROOT).matches(".*CAPABILITY .*\\bUNAUTHENTICATE\\b.*");
    }

    /**
     * Ends this client session's use of the backend connection: back to the adapter's pool after
     * {@code UNAUTHENTICATE} (RFC 8437: not authenticated, nothing selected, nothing enabled), so the next
     * session to this backend skips the connect and greeting; closed if the backend does not offer it, or
     * answers anything else. For a client that logged out (a broken-off session just {@link #close}s).
     */
    public void release() {
        if (!unauthenticate || idling != null) {
            close();
            return;
        }
        try {
            readTimeout(LOGIN_TIMEOUT_MS);
            if (call("UNAUTHENTICATE", List.of(), Response::discard).startsWith("OK")) {
                super.release();
                return;
            }
        } catch (IOException | RuntimeException e) {
            // closed below
        }
        close();
    }

    /**
     * Sends {@code command args} and relays the backend's answer to {@code client}; returns the completion's
     * status ({@code OK}, {@code NO} or {@code BAD}).
     */
    public String forward(String clientTag, String command, List<Value> args, Connection client) throws IOException {
        long start = System.nanoTime();
        String status = relay(send(command, args), clientTag, client);
        metrics.command(start);
        return status;
    }

    /**
     * Sends {@code command args} for the frontend itself: untagged responses go to {@code untagged} (each with
     * its literals), and the completion is returned without its tag ({@code OK [APPENDUID 7 12] ...}).
     */
    public String call(String command, List<Value> args, java.util.function.Consumer<Response> untagged) throws IOException {
        long start = System.nanoTime();
        String tag = send(command, args);
        byte[] prefix = (tag + " ").getBytes(StandardCharsets.US_ASCII);
        while (true) {
            byte[] line = rawLine();
            if (startsWith(line, prefix)) {
                metrics.command(start);
                return new String(line, prefix.length, line.length - prefix.length, StandardCharsets.UTF_8).stripTrailing();
            }
            Response r = new Response(new java.util.ArrayList<>(), new java.util.ArrayList<>());
            r.lines().add(new String(line, StandardCharsets.UTF_8).stripTrailing());
            try {
                for (long literal = literalSize(line); literal >= 0; literal = literalSize(line)) {
                    r.literals().add(spool(literal));
                    line = rawLine();
                    r.lines().add(new String(line, StandardCharsets.UTF_8).stripTrailing());
                }
            } catch (IOException | RuntimeException e) {
                r.discard();
                throw e;
            }
            untagged.accept(r);
        }
    }

    /** An untagged response: its lines, and the files holding the literals between them (the caller deletes them). */
    public record Response(List<String> lines, List<java.nio.file.Path> literals) {
        /** Deletes the literals' files (for a response the caller does not keep). */
        public void discard() {
            literals.forEach(f -> f.toFile().delete());
        }
    }

    private java.nio.file.Path spool(long n) throws IOException {
        java.nio.file.Path file = Files.createTempFile("corvid-proxy-", ".eml");
        try (java.io.OutputStream f = Files.newOutputStream(file)) {
            readLiteral(n, (chunk, got) -> f.write(chunk, 0, got));
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }

    private String send(String command, List<Value> args) throws IOException {
        String tag = "P" + (++tags);
        out.write((tag + " " + command).getBytes(StandardCharsets.US_ASCII));
        for (Value v : args) {
            out.write(' ');
            write(v);
        }
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return tag;
    }

    /**
     * IDLE on the backend: sends it and waits for the continuation; then {@code relays} passes on what the
     * backend reports while idling (no thread per idling client), up to the completion that {@link #endIdle}
     * causes. False (answered) if refused.
     */
    public boolean startIdle(String clientTag, Connection client, IdleRelays relays) throws IOException {
        String tag = "P" + (++tags);
        send(tag + " IDLE");
        byte[] prefix = (tag + " ").getBytes(StandardCharsets.US_ASCII);
        while (true) { // changes reported before the continuation go to the client first
            byte[] line = rawLine();
            if (line.length > 0 && line[0] == '+') {
                break;
            }
            if (startsWith(line, prefix)) {
                client.write(clientTag + " " + new String(line, prefix.length, line.length - prefix.length,
                        StandardCharsets.UTF_8).stripTrailing());
                return false;
            }
            passOn(line, client);
        }
        byte[] pending = in.takeBuffered(); // read ahead already (never more from the socket): the relay starts with it
        java.util.concurrent.CompletableFuture<IdleRelays.End> watch = relays.watch(channel(), pending, tag, clientTag, client);
        if (watch.isDone() && !watch.isCompletedExceptionally()) { // the backend ended it at once, and said so
            unread(watch.join().leftover());
            return false;
        }
        idling = watch;
        return true;
    }

    /** DONE: ends the backend's IDLE and waits until its completion has gone to the client. */
    public void endIdle() throws IOException {
        java.util.concurrent.CompletableFuture<IdleRelays.End> done = idling;
        idling = null;
        if (done == null) {
            return;
        }
        if (done.isDone() && !done.isCompletedExceptionally()) { // the backend ended it by itself, completion relayed
            unread(done.join().leftover());
            return;
        }
        java.nio.ByteBuffer doneLine = java.nio.ByteBuffer.wrap("DONE\r\n".getBytes(StandardCharsets.US_ASCII));
        while (doneLine.hasRemaining()) { // the socket is non-blocking while the relay has it: no stream writes
            channel().write(doneLine);
        }
        try {
            unread(done.get(60, java.util.concurrent.TimeUnit.SECONDS).leftover());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("IDLE on the backend did not end: " + e.getMessage(), e);
        }
    }

    private volatile java.util.concurrent.CompletableFuture<IdleRelays.End> idling;
    private static final byte[] BYE = "* BYE ".getBytes(StandardCharsets.US_ASCII);
    private boolean relayed;
    private volatile String bye;

    /** The text of the backend's last {@code * BYE}, or null: why it ended the session. */
    public String bye() {
        return bye;
    }

    /** True if the last forwarded command got anything to the client (if not, it may be sent again elsewhere). */
    public boolean relayedAnything() {
        return relayed;
    }

    /** Relays the backend's answer to {@code tag} to the client; returns the completion's status. */
    private String relay(String tag, String clientTag, Connection client) throws IOException {
        byte[] prefix = (tag + " ").getBytes(StandardCharsets.US_ASCII);
        relayed = false;
        while (true) {
            byte[] line = rawLine();
            if (startsWith(line, BYE)) { // the backend's session ends (autologout, its mailbox moved away), not
                // the client's: the read fails next, and the frontend tells the client why if it must end too
                bye = new String(line, BYE.length, line.length - BYE.length, StandardCharsets.UTF_8).stripTrailing();
                continue;
            }
            if (startsWith(line, prefix)) {
                String rest = new String(line, prefix.length, line.length - prefix.length, StandardCharsets.UTF_8).stripTrailing();
                if (!relayed && rest.startsWith(MOVING)) {
                    return "MOVING"; // held back: the frontend follows the mailbox to its new backend
                }
                relayed = true;
                client.write(clientTag + " " + rest);
                int space = rest.indexOf(' ');
                return space < 0 ? rest : rest.substring(0, space);
            }
            relayed = true;
            passOn(line, client);
        }
    }

    /** A backend's answer for a mailbox a live move has just taken away (or not yet brought). */
    public static final String MOVING = "NO [UNAVAILABLE] Mailbox is moving between servers";

    private void write(Value v) throws IOException {
        if (v instanceof Value.Atom a) {
            out.write(a.text().getBytes(StandardCharsets.US_ASCII));
        } else if (v instanceof Value.Quoted q) {
            out.write(("\"" + q.text().replace("\\", "\\\\").replace("\"", "\\\"") + "\"").getBytes(StandardCharsets.UTF_8));
        } else if (v instanceof Value.Literal l) {
            out.write(("{" + l.bytes().length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(l.bytes());
        } else if (v instanceof Value.SpooledLiteral s) {
            out.write(("{" + s.size() + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
            try (InputStream file = Files.newInputStream(s.file())) {
                file.transferTo(out);
            }
        } else if (v instanceof Value.ListValue list) {
            out.write('(');
            for (int i = 0; i < list.items().size(); i++) {
                if (i > 0) {
                    out.write(' ');
                }
                write(list.items().get(i));
            }
            out.write(')');
        } else {
            out.write("NIL".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private byte[] rawLine() throws IOException {
        return rawLine(MAX_LINE);
    }

    /** The size of the literal {@code {n}} that ends the line, or -1. */
    static long literalSize(byte[] line) {
        int end = line.length;
        while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r')) {
            end--;
        }
        if (end < 3 || line[end - 1] != '}') {
            return -1;
        }
        int open = end - 2;
        while (open >= 0 && Character.isDigit(line[open])) {
            open--;
        }
        if (open < 0 || line[open] != '{' || open == end - 2) {
            return -1;
        }
        return Long.parseLong(new String(line, open + 1, end - 2 - open, StandardCharsets.US_ASCII));
    }

    /** An untagged response that began with {@code line}, to the client as the backend sends it. */
    private void passOn(byte[] line, Connection client) throws IOException {
        client.writeRaw(line);
        for (long literal = literalSize(line); literal >= 0; literal = literalSize(line)) {
            readLiteral(literal, (chunk, got) -> client.writeRaw(Arrays.copyOf(chunk, got)));
            line = rawLine(); // the rest of the response after the literal
            client.writeRaw(line);
        }
    }

    /** Where a literal's bytes go, chunk by chunk. */
    private interface Chunks {
        void accept(byte[] chunk, int length) throws IOException;
    }

    /** Reads a literal of {@code n} bytes in chunks of at most 64 KiB, so a large one is never held whole. */
    private void readLiteral(long n, Chunks sink) throws IOException {
        byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, n))];
        for (long left = n; left > 0; ) {
            int got = in.read(chunk, 0, (int) Math.min(chunk.length, left));
            if (got < 0) {
                throw new IOException("connection closed by the backend " + server + " inside a literal");
            }
            sink.accept(chunk, got);
            left -= got;
        }
    }

    static boolean startsWith(byte[] line, byte[] prefix) {
        if (line.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
