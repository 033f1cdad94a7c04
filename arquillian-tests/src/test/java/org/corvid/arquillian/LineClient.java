package org.corvid.arquillian;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal line-oriented test client for protocols that push (MUPDATE UPDATE streams). */
final class LineClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    /** SASL PLAIN initial responses of the dev realm's murder principals. */
    static final String MURDER = "AG11cmRlcgBtdXJkZXI=";       // murder/murder, role corvid-backend: writes
    static final String FRONTEND = "AGZyb250ZW5kAGZyb250ZW5k"; // frontend/frontend, role corvid-frontend: reads

    /** A MUPDATE connection to the test server, authenticated with SASL PLAIN. */
    static LineClient mupdate(String plainBase64) throws IOException {
        LineClient c = new LineClient(TestServer.MUPDATE);
        c.readUntil("* OK MUPDATE");
        c.send("A01 AUTHENTICATE \"PLAIN\" " + plainBase64);
        String reply = c.read();
        if (!reply.equals("A01 OK \"Authenticated\"")) {
            c.close();
            throw new IOException("MUPDATE login refused: " + reply);
        }
        return c;
    }

    /**
     * A MUPDATE connection to {@code port} authenticated as {@code user}, with the SASL initial response as a
     * {@code {n+}} literal (the form Cyrus's master requires).
     */
    static LineClient mupdate(int port, String user, String password) throws IOException {
        LineClient c = new LineClient(port);
        c.readUntil("* OK MUPDATE");
        String ir = java.util.Base64.getEncoder().encodeToString(("\0" + user + "\0" + password)
                .getBytes(StandardCharsets.UTF_8));
        c.send("A01 AUTHENTICATE \"PLAIN\" {" + ir.length() + "+}\r\n" + ir);
        String reply = c.read();
        if (!reply.equals("A01 OK \"Authenticated\"")) {
            c.close();
            throw new IOException("MUPDATE login refused: " + reply);
        }
        return c;
    }

    /** An IMAP connection to {@code port} logged in as {@code user} (whose dev-realm password is the name). */
    static LineClient imap(int port, String user) throws IOException {
        LineClient c = new LineClient(port);
        c.readUntil("* OK");
        c.send("L1 LOGIN " + user + " " + user);
        String reply = c.readUntil("L1 ");
        if (!reply.startsWith("L1 OK")) {
            c.close();
            throw new IOException("IMAP login refused: " + reply);
        }
        return c;
    }

    /** An IMAP connection to the test server logged in as {@code user}. */
    static LineClient imap(String user) throws IOException {
        return imap(TestServer.IMAP, user);
    }

    LineClient(int port) throws IOException {
        this(TestServer.HOST, port);
    }

    LineClient(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setSoTimeout(10_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    /** The Subject lines of {@code user}'s INBOX, in message order. */
    static java.util.List<String> inboxSubjects(int port, String user) throws IOException {
        try (LineClient c = imap(port, user)) {
            c.send("S1 EXAMINE INBOX");
            c.readUntil("S1 OK");
            c.send("F1 FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT)]");
            return c.answer("F1").stream().filter(l -> l.startsWith("Subject:")).toList();
        }
    }

    void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends {@code text} as it is, no CRLF added. */
    void sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next line; a timeout fails the test (SO_TIMEOUT 10 s). */
    String read() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("connection closed");
        }
        return line;
    }

    /** Reads lines until one starts with {@code prefix}; returns it. */
    String readUntil(String prefix) throws IOException {
        String line;
        do {
            line = read();
        } while (!line.startsWith(prefix));
        return line;
    }

    /** Lines up to and including {@code tag}'s completion (OK, NO or BAD), which comes last. */
    java.util.List<String> answer(String tag) throws IOException {
        java.util.List<String> lines = new java.util.ArrayList<>();
        String line;
        do {
            line = read();
            lines.add(line);
        } while (!line.startsWith(tag + " OK") && !line.startsWith(tag + " NO") && !line.startsWith(tag + " BAD"));
        return lines;
    }

    /** FIND at the test server's master, as a reader: the record's lines without the completion. */
    static java.util.List<String> mupdateFind(String name) throws IOException {
        try (LineClient c = mupdate(FRONTEND)) {
            c.send("F1 FIND \"" + name + "\"");
            java.util.List<String> lines = c.answer("F1");
            lines.remove(lines.size() - 1);
            return lines;
        }
    }

    /** Sets how long {@link #read()} waits. */
    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
