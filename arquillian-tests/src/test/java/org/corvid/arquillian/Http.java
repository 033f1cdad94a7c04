package org.corvid.arquillian;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** HTTP GETs against a test node's REST API, anonymous or with the dev realm's Basic credentials. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private Http() {
    }

    /** GET {@code path} on {@code port}; {@code user} (password = user name, as in the dev realm) or null. */
    static HttpResponse<String> get(int port, String path, String user) throws Exception {
        return get(port, path, user, java.time.Duration.ofSeconds(60));
    }

    /** As above, failing after {@code timeout} (a frozen server never answers). */
    static HttpResponse<String> get(int port, String path, String user, java.time.Duration timeout) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + TestServer.HOST + ":" + port + path))
                .timeout(timeout);
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject json(HttpResponse<String> r) {
        return Json.createReader(new StringReader(r.body())).readObject();
    }
}
