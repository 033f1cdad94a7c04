package org.corvid.cli;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonStructure;
import java.io.IOException;
import java.io.StringReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** The REST API of one Corvid node, as an administrator (HTTP Basic). */
final class Api {
    /** A call that did not succeed: the problem's title and detail, or what went wrong on the way. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String authorization;

    Api(String url, String userColonPassword) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    JsonStructure get(String path) throws Failure {
        return call(HttpRequest.newBuilder(URI.create(url + path)).GET(), path);
    }

    JsonStructure post(String path) throws Failure {
        return call(HttpRequest.newBuilder(URI.create(url + path)).POST(HttpRequest.BodyPublishers.noBody()), path);
    }

    JsonStructure post(String path, String json) throws Failure {
        return call(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), path);
    }

    JsonStructure delete(String path) throws Failure {
        return call(HttpRequest.newBuilder(URI.create(url + path)).DELETE(), path);
    }

    private JsonStructure call(HttpRequest.Builder request, String path) throws Failure {
        HttpResponse<String> r;
        try {
            r = client.send(request.header("Authorization", authorization).header("Accept", "application/json")
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Failure("no Corvid node answers at " + url);
        } catch (IOException e) {
            throw new Failure(url + path + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new Failure("not allowed: log in as an administrator (role corvid-admin) with --user or CORVID_ADMIN");
        }
        if (r.statusCode() >= 300) {
            String detail = r.body();
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
                try {
                    JsonObject problem = Json.createReader(new StringReader(r.body())).readObject();
                    detail = problem.getString("title", "") + ": " + problem.getString("detail", "");
                } catch (jakarta.json.JsonException e) {
                    // the body as it came
                }
            }
            throw new Failure("HTTP " + r.statusCode() + " " + detail);
        }
        try {
            return Json.createReader(new StringReader(r.body())).read();
        } catch (jakarta.json.JsonException e) {
            throw new Failure(url + path + " did not answer JSON (is this a Corvid node?)");
        }
    }

    static String encode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
