package org.corvid.ejb.frontend;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The room a backend has where its new top-level mailboxes go (its default partition), for the placement
 * policy {@code most-free-space}: asked of the backend ({@code GET /api/internal/partitions} on its HTTP port,
 * as this node's murder principal) and kept 10 s, so a burst of CREATEs costs one call per backend. A backend
 * that does not answer (down, or a Cyrus backend, which has no such call) has no known room.
 */
public final class BackendSpace {
    private static final Logger LOG = Logger.getLogger(BackendSpace.class);
    private static final long KEEP_NANOS = 10_000_000_000L;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final Map<String, Sample> SAMPLES = new ConcurrentHashMap<>();

    private record Sample(long freeBytes, long at) {
    }

    private BackendSpace() {
    }

    /** Free bytes on {@code server}'s default partition, or -1 if unknown. */
    public static long freeBytes(String server) {
        String key = server.toLowerCase(java.util.Locale.ROOT);
        Sample s = SAMPLES.get(key);
        if (s == null || System.nanoTime() - s.at() > KEEP_NANOS) {
            s = new Sample(ask(server), System.nanoTime());
            SAMPLES.put(key, s);
        }
        return s.freeBytes();
    }

    private static long ask(String server) {
        BackendAddresses.Address a = BackendAddresses.of(server);
        String credentials = System.getProperty("corvid.mupdate.user", "") + ":" + System.getProperty("corvid.mupdate.password", "");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + a.host() + ":" + a.httpPort() + "/api/internal/partitions"))
                .timeout(Duration.ofSeconds(2)).header("Accept", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .GET().build();
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                LOG.debugf("free space of %s: HTTP %d", server, r.statusCode());
                return -1;
            }
            JsonObject body;
            try (var reader = Json.createReader(new StringReader(r.body()))) {
                body = reader.readObject();
            }
            String partition = body.getString("default", "default");
            for (JsonValue v : body.getJsonArray("partitions")) {
                JsonObject p = v.asJsonObject();
                if (partition.equals(p.getString("name", "")) && p.containsKey("freeBytes")) {
                    return p.getJsonNumber("freeBytes").longValue();
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            LOG.debugf("free space of %s: %s", server, e.getMessage());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
