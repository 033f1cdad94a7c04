package org.corvid.arquillian.transcript;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A protocol conversation written as a file, run over a real socket:
 * <pre>
 * # comment
 * C: a1 LOGIN alice alice          client line, sent with CRLF; ${x*100} expands to 100 x's
 * S: a1 OK \[CAPABILITY .*\] .*    the next server line must match this regex entirely
 * TLS                              start TLS on the socket (trusting any certificate: test servers only)
 * CLOSED                           the server must close the connection now
 * </pre>
 * The same file can be pointed at another server (e.g. Cyrus) to check the expectation itself.
 */
public final class Transcript {
    private static final Pattern REPEAT = Pattern.compile("\\$\\{(.)\\*(\\d+)}");
    private static final int READ_TIMEOUT_MS = 10_000;

    private enum Kind { SEND, EXPECT, TLS, CLOSED }

    private record Step(int line, Kind kind, String text, Pattern pattern) {
    }

    private final String name;
    private final List<Step> steps;

    private Transcript(String name, List<Step> steps) {
        this.name = name;
        this.steps = steps;
    }

    public static Transcript load(Path file) throws IOException {
        return parse(file.getFileName().toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    public static Transcript parse(String name, List<String> lines) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            int n = i + 1;
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            if (l.startsWith("C: ") || l.equals("C:")) {
                steps.add(new Step(n, Kind.SEND, expand(l.length() > 3 ? l.substring(3) : ""), null));
            } else if (l.startsWith("S: ")) {
                steps.add(new Step(n, Kind.EXPECT, l.substring(3), Pattern.compile(l.substring(3))));
            } else if (l.equals("TLS")) {
                steps.add(new Step(n, Kind.TLS, l, null));
            } else if (l.equals("CLOSED")) {
                steps.add(new Step(n, Kind.CLOSED, l, null));
            } else {
                throw new IllegalArgumentException(name + ":" + n + ": unknown transcript line: " + l);
            }
        }
        return new Transcript(name, steps);
    }

    private static String expand(String text) {
        Matcher m = REPEAT.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1).repeat(Integer.parseInt(m.group(2)))));
        }
        m.appendTail(out);
        return out.toString();
    }

    public String name() {
        return name;
    }

    /** Runs the conversation; throws an AssertionError naming the file line and showing the exchange so far. */
    public void run(String host, int port) throws Exception {
        StringBuilder log = new StringBuilder();
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), READ_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (Step step : steps) {
                switch (step.kind) {
                    case SEND -> {
                        out.write((step.text + "\r\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        log.append("C: ").append(abbreviate(step.text)).append('\n');
                    }
                    case EXPECT -> {
                        String line = readLine(in);
                        if (line == null) {
                            throw failure(step, "connection closed, expected /" + step.text + "/", log);
                        }
                        log.append("S: ").append(abbreviate(line)).append('\n');
                        if (!step.pattern.matcher(line).matches()) {
                            throw failure(step, "got '" + line + "', expected /" + step.text + "/", log);
                        }
                    }
                    case TLS -> {
                        socket = startTls(socket, host, port);
                        in = socket.getInputStream();
                        out = socket.getOutputStream();
                        log.append("-- TLS --\n");
                    }
                    case CLOSED -> {
                        String line = readLine(in);
                        if (line != null) {
                            throw failure(step, "expected the server to close, got '" + line + "'", log);
                        }
                    }
                }
            }
        } finally {
            socket.close();
        }
    }

    private AssertionError failure(Step step, String what, StringBuilder log) {
        return new AssertionError(name + ":" + step.line + ": " + what + "\n--- conversation ---\n" + log);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
    }

    /** Reads one CRLF- or LF-terminated line; null at end of stream (a reset also counts as closed). */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    byte[] bytes = buf.toByteArray();
                    int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, len, StandardCharsets.UTF_8);
                }
                buf.write(b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no complete line from the server within " + READ_TIMEOUT_MS + " ms; got '"
                    + buf.toString(StandardCharsets.UTF_8) + "'");
        } catch (java.net.SocketException e) {
            return null;
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
    }

    private static Socket startTls(Socket plain, String host, int port) throws Exception {
        SSLSocket tls = (SSLSocket) trustAll().getSocketFactory().createSocket(plain, host, port, true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        tls.setSoTimeout(READ_TIMEOUT_MS);
        return tls;
    }

    /** An SSL context trusting any certificate: the test server uses a generated self-signed one. */
    public static SSLContext trustAll() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {trustAll}, null);
        return ctx;
    }
}
