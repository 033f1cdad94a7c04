package org.corvid.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.corvid.ejb.frontend.BackendAddresses;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.move.MoveJobs;
import org.corvid.ejb.move.MoveRunner;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.ejb.mupdate.MupdateRecord;

/**
 * {@code /api/moves}: live moves of mailboxes between backends. {@code POST} starts one ({@code mailbox},
 * {@code server}, optional {@code partition}; a user's INBOX {@code user.bob} moves the whole user), on whichever
 * node it is asked: a move runs on its source backend, so the request goes there with the caller's credentials.
 * {@code GET} lists the moves of every backend (newest first), {@code GET /{id}} one with its progress,
 * {@code DELETE /{id}} cancels one still copying (it rolls back).
 */
@Path("moves")
@RequestScoped
@Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
public class MovesResource {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final int HISTORY = 100;

    @EJB
    private MoveRunner runner;

    @EJB
    private MoveJobs jobs;

    @EJB
    private LocationCache locations;

    @EJB
    private NodeConfig node;

    @Context
    private HttpHeaders headers;

    @Context
    private SecurityContext security;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(String body, @QueryParam("wait") @DefaultValue("0") int waitSeconds) {
        JsonObject o;
        try (var r = Json.createReader(new StringReader(body))) {
            o = r.readObject();
        } catch (RuntimeException e) {
            return Problems.of(400, "Invalid request", "expected {\"mailbox\": ..., \"server\": ...}");
        }
        String mailbox = o.getString("mailbox", "");
        String server = o.getString("server", "");
        String partition = o.getString("partition", null);
        int bang = server.indexOf('!');
        if (bang > 0) {
            partition = server.substring(bang + 1);
            server = server.substring(0, bang);
        }
        if (mailbox.isEmpty() || server.isEmpty()) {
            return Problems.of(400, "Invalid request", "mailbox and server are required");
        }
        MupdateRecord at = locations.lookup(mailbox);
        String source = at == null ? node.serverName() : at.server();
        if (!source.equalsIgnoreCase(node.serverName())) {
            return forward(source, "POST", "?wait=" + waitSeconds, body);
        }
        try {
            MoveJobs.View job = runner.start(mailbox, server, partition, security.getUserPrincipal().getName());
            if (waitSeconds > 0) {
                job = runner.await(job.id(), Duration.ofSeconds(Math.min(waitSeconds, 3600)));
            }
            return Response.status(202).type(MediaType.APPLICATION_JSON_TYPE).entity(view(job)).build();
        } catch (MoveRunner.Refused e) {
            int status = "NONEXISTENT".equals(e.code()) ? 404 : 409;
            return Problems.of(status, "Move refused", e.getMessage());
        }
    }

    @GET
    public Response list(@QueryParam("local") @DefaultValue("false") boolean local) {
        List<Object> all = new ArrayList<>();
        if (node.has(NodeConfig.Role.BACKEND)) {
            jobs.recent(HISTORY).forEach(j -> all.add(view(j)));
        }
        if (!local) {
            for (String server : otherBackends()) {
                String body = fetch(server, "?local=true");
                if (body != null) {
                    try (var r = Json.createReader(new StringReader(body))) {
                        all.addAll(r.readArray());
                    }
                }
            }
        }
        return Response.ok(all, MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id, @QueryParam("local") @DefaultValue("false") boolean local) {
        MoveJobs.View job = node.has(NodeConfig.Role.BACKEND) ? jobs.find(id) : null;
        if (job != null) {
            return Response.ok(view(job), MediaType.APPLICATION_JSON_TYPE).build();
        }
        if (!local) {
            for (String server : otherBackends()) {
                String body = fetch(server, "/" + id + "?local=true");
                if (body != null) {
                    return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
                }
            }
        }
        return Problems.of(404, "No such move", id);
    }

    @DELETE
    @Path("{id}")
    public Response cancel(@PathParam("id") String id) {
        MoveJobs.View job = node.has(NodeConfig.Role.BACKEND) ? jobs.find(id) : null;
        if (job == null) {
            for (String server : otherBackends()) {
                if (fetch(server, "/" + id + "?local=true") != null) {
                    return forward(server, "DELETE", "/" + id, null);
                }
            }
            return Problems.of(404, "No such move", id);
        }
        if (!runner.cancel(id)) {
            return Problems.of(409, "Cannot cancel", "move " + id + " is " + job.state() + "; only a move still copying can be cancelled");
        }
        return Response.accepted(view(jobs.find(id))).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    private Map<String, Object> view(MoveJobs.View j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id());
        m.put("mailbox", j.mailbox());
        m.put("wholeUser", j.wholeUser());
        m.put("source", j.source());
        m.put("target", j.target());
        m.put("partition", j.targetPartition());
        m.put("state", j.state().name());
        m.put("requestedBy", j.requestedBy());
        long[] live = runner.progress(j.id()).orElse(null);
        long messages = live != null ? live[0] : j.messagesCopied();
        long bytes = live != null ? live[1] : j.bytesCopied();
        m.put("messagesTotal", Math.max(messages, j.messagesTotal()));
        m.put("messagesCopied", messages);
        m.put("bytesTotal", Math.max(bytes, j.bytesTotal()));
        m.put("bytesCopied", bytes);
        m.put("percent", j.state().name().equals("DONE") ? 100
                : j.bytesTotal() == 0 ? 0 : Math.min(99, (int) (100 * bytes / j.bytesTotal())));
        if (live != null && live[2] > 0) {
            double rate = messages * 1000.0 / live[2];
            m.put("messagesPerSecond", Math.round(rate));
            m.put("bytesPerSecond", Math.round(bytes * 1000.0 / live[2]));
            m.put("etaSeconds", rate <= 0 ? null : Math.max(0, Math.round((j.messagesTotal() - messages) / rate)));
        }
        m.put("finalPhaseMillis", j.finalPhaseMillis());
        m.put("createdAt", j.createdAt().toString());
        m.put("updatedAt", j.updatedAt().toString());
        m.put("finishedAt", j.finishedAt() == null ? null : j.finishedAt().toString());
        m.put("error", j.error());
        return m;
    }

    private List<String> otherBackends() {
        TreeSet<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(BackendAddresses.configured());
        names.addAll(locations.countsByServer().keySet());
        names.remove(node.serverName());
        return new ArrayList<>(names);
    }

    private String fetch(String server, String path) {
        try {
            HttpResponse<String> r = HTTP.send(request(server, path).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null; // a backend down: its moves are not listed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Response forward(String server, String method, String path, String body) {
        try {
            HttpRequest.Builder b = request(server, path);
            b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                    : b.header("Content-Type", MediaType.APPLICATION_JSON).method(method, HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return Response.status(r.statusCode()).type(r.headers().firstValue("Content-Type").orElse(MediaType.APPLICATION_JSON))
                    .entity(r.body()).build();
        } catch (IOException e) {
            return Problems.of(502, "Source backend unavailable", server + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Problems.of(503, "Interrupted", e.getMessage());
        }
    }

    /** A request to the same API on {@code server}, with the caller's own credentials. */
    private HttpRequest.Builder request(String server, String path) {
        BackendAddresses.Address a = BackendAddresses.of(server);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + a.host() + ":" + a.httpPort() + "/api/moves" + path))
                .timeout(Duration.ofMinutes(60)).header("Accept", MediaType.APPLICATION_JSON);
        String auth = headers.getHeaderString(HttpHeaders.AUTHORIZATION);
        return auth == null ? b : b.header("Authorization", auth);
    }
}
