package org.corvid.ejb.frontend;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * A POP3 session on the backend that holds a user's INBOX, opened by a frontend after it authenticated the
 * user: {@code AUTH PLAIN} as the proxy principal acting for the user. Commands then go through unchanged and
 * the answers come back line by line (multi-line ones up to their {@code .}, still dot-stuffed), so a large
 * message is never held whole. Kept in the client connection's attributes, closed with it.
 */
public final class Pop3Proxy extends BackendSocket {
    private static final int MAX_LINE = 1024 * 1024;

    private Pop3Proxy(String server, BackendAddresses.Address a) throws IOException {
        super("pop3", server, a.host(), a.pop3Port());
    }

    /**
     * Connects to {@code server} and authenticates for {@code user}; {@code greeting} receives the backend's
     * answer to the authentication ({@code +OK ...} with the maildrop's size).
     */
    public static Pop3Proxy open(String server, String user, Consumer<String> greeting) throws IOException {
        Pop3Proxy p = new Pop3Proxy(server, BackendAddresses.of(server));
        try {
            String hello = p.line(MAX_LINE);
            if (!hello.startsWith("+OK")) {
                throw new IOException("backend greeting: " + hello);
            }
            p.send("AUTH PLAIN " + ProxyCredentials.plain(user));
            String answer = p.line(MAX_LINE);
            if (!answer.startsWith("+OK")) {
                throw new IOException("backend refused the proxy login: " + answer);
            }
            greeting.accept(answer);
            return p;
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /**
     * Sends {@code command}; the status line to {@code status}, and for a multi-line answer its lines, up to
     * and including the {@code .}, to {@code raw} as the bytes the backend sent (a message's bytes unchanged,
     * a long line in 64 KiB pieces).
     */
    public void relay(String command, boolean multiLine, Consumer<String> status, Consumer<byte[]> raw) throws IOException {
        long start = System.nanoTime();
        send(command);
        String first = line(MAX_LINE);
        status.accept(first);
        if (!multiLine || !first.startsWith("+OK")) {
            metrics.command(start);
            return;
        }
        java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream(256);
        boolean continued = false; // the pending bytes continue a line already passed on
        for (int b; ; ) {
            b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the backend in a multi-line answer");
            }
            pending.write(b);
            if (b == '\n') {
                byte[] line = pending.toByteArray();
                pending.reset();
                raw.accept(line);
                if (!continued && (line.length == 3 && line[0] == '.' && line[1] == '\r' || line.length == 2 && line[0] == '.')) {
                    metrics.command(start);
                    return;
                }
                continued = false;
            } else if (pending.size() >= 64 * 1024) {
                raw.accept(pending.toByteArray());
                pending.reset();
                continued = true;
            }
        }
    }
}
