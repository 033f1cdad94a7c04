package org.corvid.ejb.frontend;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Calls another node's {@code /api/internal/...} on its HTTP port ({@code corvid.backends}) as this node's murder
 * principal ({@code corvid.mupdate.user}): for what only the backend holding a mailbox can answer.
 */
public final class NodeApi {
    private final HttpClient http;

    /** The status and body of an answer. */
    public record Reply(int status, String body) {
    }

    public NodeApi(Duration connectTimeout) {
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    }

    /** {@code method path} on {@code server} with a JSON {@code body} (or none); IOException if it does not answer. */
    public Reply call(String server, String method, String path, String body, Duration timeout)
            throws IOException, InterruptedException {
        BackendAddresses.Address a = BackendAddresses.of(server);
        String credentials = System.getProperty("corvid.mupdate.user", "") + ":" + System.getProperty("corvid.mupdate.password", "");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + a.host() + ":" + a.httpPort() + path))
                .timeout(timeout).header("Accept", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }
}
