package org.corvid.web.api;

import jakarta.json.Json;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.corvid.ejb.frontend.BackendAddresses;

/**
 * Calls another node's {@code /api/internal/...} as this node's murder principal ({@code corvid.mupdate.user}),
 * for what only the backend holding a mailbox can answer (its moves, its mailboxes' figures).
 */
final class NodeCalls {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private NodeCalls() {
    }

    /** {@code method path} on {@code server} with a JSON {@code body} (or none); a 502 problem if it cannot answer. */
    static MoveRequests.Answer call(String server, String method, String path, String body, Duration timeout) {
        BackendAddresses.Address a = BackendAddresses.of(server);
        String credentials = System.getProperty("corvid.mupdate.user", "") + ":" + System.getProperty("corvid.mupdate.password", "");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + a.host() + ":" + a.httpPort() + path))
                .timeout(timeout).header("Accept", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Object parsed;
            try (var reader = Json.createReader(new StringReader(r.body()))) {
                parsed = JsonValues.plain(reader.readValue());
            } catch (RuntimeException e) {
                return MoveRequests.problem(502, "Backend " + server + " answered " + r.statusCode(), r.body());
            }
            return new MoveRequests.Answer(r.statusCode(), parsed);
        } catch (IOException e) {
            return MoveRequests.problem(502, "Backend " + server + " unavailable", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return MoveRequests.problem(503, "Interrupted", e.getMessage());
        }
    }
}
