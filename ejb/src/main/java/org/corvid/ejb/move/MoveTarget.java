package org.corvid.ejb.move;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.corvid.ejb.frontend.BackendAddresses;

/**
 * The destination backend of a move, over its HTTP API ({@code /api/internal/moves}), authenticated as this
 * backend's murder principal (role {@code corvid-backend} there). Each call fails with an IOException when the
 * destination refuses it or cannot be reached.
 */
public final class MoveTarget {
    private static final Duration CONNECT = Duration.ofSeconds(5);
    private static final Duration CALL = Duration.ofMinutes(5);

    private final HttpClient http;
    private final String base;
    private final String authorization;
    private final Executor executor;

    /** {@code executor} runs the writer of each streamed message batch. */
    public MoveTarget(String server, String user, String password, Executor executor) {
        BackendAddresses.Address a = BackendAddresses.of(server);
        this.base = "http://" + a.host() + ":" + a.httpPort() + "/api/internal/moves/";
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.executor = executor;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT).executor(executor).build();
    }

    /** Creates the mailboxes at the destination (hidden); returns the highest UID each already has there. */
    public Map<String, Long> stage(String moveId, String partition, List<MoveStore.MailboxMeta> mailboxes)
            throws IOException {
        String body = call(request(moveId + "?partition=" + enc(partition))
                .PUT(HttpRequest.BodyPublishers.ofString(MoveJson.mailboxes(mailboxes))));
        return MoveJson.lastUids(MoveJson.parse(body));
    }

    /** Streams a batch of messages to the destination's hidden {@code mailbox}. */
    public void send(String moveId, String mailbox, List<MoveStore.Outgoing> batch) throws IOException {
        PipedInputStream in = new PipedInputStream(256 * 1024);
        PipedOutputStream pipe = new PipedOutputStream(in);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (DataOutputStream out = MoveWire.output(new BufferedOutputStream(pipe, 256 * 1024))) {
                for (MoveStore.Outgoing o : batch) {
                    try (InputStream body = Files.newInputStream(o.file())) {
                        MoveWire.write(out, o.header(), body);
                    }
                }
                MoveWire.end(out);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, executor);
        try {
            call(request(moveId + "/messages?mailbox=" + enc(mailbox))
                    .setHeader("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> in)));
            writer.join();
        } catch (RuntimeException e) {
            throw new IOException("sending messages of " + mailbox + " failed: " + e.getMessage(), e);
        } finally {
            in.close();
        }
    }

    /** Flag changes, expunges and counters of several mailboxes, in one call (one transaction there). */
    public void apply(String moveId, List<MoveStore.Changes> changes) throws IOException {
        call(request(moveId + "/changes").POST(HttpRequest.BodyPublishers.ofString(MoveJson.changes(changes))));
    }

    /** The switch at the destination: it makes everything durable, ACTIVATEs the names at the master, shows them. */
    public void commit(String moveId, List<String> names, String root, MoveStore.UserData data) throws IOException {
        call(request(moveId + "/commit").POST(HttpRequest.BodyPublishers.ofString(MoveJson.commit(names, root, data))));
    }

    /** Drops what the move staged at the destination (idempotent). */
    public void abort(String moveId) throws IOException {
        call(request(moveId).DELETE());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(CALL).header("Authorization", authorization)
                .header("Accept", "application/json").header("Content-Type", "application/json");
    }

    private String call(HttpRequest.Builder request) throws IOException {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IOException("destination answered " + r.statusCode() + ": " + abbreviated(r.body()));
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String abbreviated(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
