package org.corvid.web.api;

import jakarta.json.Json;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import org.corvid.ejb.frontend.NodeApi;

/** {@link NodeApi} for the REST API: answers as {@link MoveRequests.Answer}, a problem if the node cannot answer. */
final class NodeCalls {
    private static final NodeApi API = new NodeApi(Duration.ofSeconds(3));

    private NodeCalls() {
    }

    /** {@code method path} on {@code server} with a JSON {@code body} (or none); a 502 problem if it cannot answer. */
    static MoveRequests.Answer call(String server, String method, String path, String body, Duration timeout) {
        try {
            NodeApi.Reply r = API.call(server, method, path, body, timeout);
            Object parsed;
            try (var reader = Json.createReader(new StringReader(r.body()))) {
                parsed = JsonValues.plain(reader.readValue());
            } catch (RuntimeException e) {
                return MoveRequests.problem(502, "Backend " + server + " answered " + r.status(), r.body());
            }
            return new MoveRequests.Answer(r.status(), parsed);
        } catch (IOException e) {
            return MoveRequests.problem(502, "Backend " + server + " unavailable", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return MoveRequests.problem(503, "Interrupted", e.getMessage());
        }
    }
}
