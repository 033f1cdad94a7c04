package org.corvid.ejb.frontend;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
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
    private static final NodeApi API = new NodeApi(Duration.ofSeconds(1));
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
        try {
            NodeApi.Reply r = API.call(server, "GET", "/api/internal/partitions", null, Duration.ofSeconds(2));
            if (r.status() != 200) {
                LOG.debugf("free space of %s: HTTP %d", server, r.status());
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
