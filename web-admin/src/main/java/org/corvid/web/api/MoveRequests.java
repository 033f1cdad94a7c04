package org.corvid.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
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
import org.corvid.ejb.mupdate.MupdateRecord;
import org.corvid.ejb.node.NodeConfig;

/**
 * Live moves as the REST API and the console ask for them, on whichever node: a move runs on its source
 * backend, so a request for another backend's move goes there ({@code /api/internal/move-requests}, as this
 * node's murder principal, naming the administrator who asked). Answers are a status and a JSON-able body.
 */
@ApplicationScoped
public class MoveRequests {
    private static final int HISTORY = 100;

    @EJB
    private MoveRunner runner;

    @EJB
    private MoveJobs jobs;

    @EJB
    private LocationCache locations;

    @EJB
    private NodeConfig node;

    /** An answer: HTTP status and body (a move, a list of moves, or a problem's title and detail). */
    public record Answer(int status, Object body) {
        boolean ok() {
            return status / 100 == 2;
        }
    }

    /** Starts moving {@code mailbox} to {@code server} ({@code server!partition} works too) for {@code caller}. */
    public Answer start(String mailbox, String server, String partition, String caller, int waitSeconds) {
        int bang = server == null ? -1 : server.indexOf('!');
        if (bang > 0) {
            partition = server.substring(bang + 1);
            server = server.substring(0, bang);
        }
        if (mailbox == null || mailbox.isEmpty() || server == null || server.isEmpty()) {
            return problem(400, "Invalid request", "mailbox and server are required");
        }
        MupdateRecord at = locations.lookup(mailbox);
        String source = at == null ? node.serverName() : at.server();
        if (!source.equalsIgnoreCase(node.serverName())) {
            String body = Json.createObjectBuilder().add("mailbox", mailbox).add("server", server)
                    .add("partition", partition == null ? "" : partition).add("requestedBy", caller).build().toString();
            return call(source, "POST", "?wait=" + waitSeconds, body);
        }
        try {
            MoveJobs.View job = runner.start(mailbox, server, partition == null || partition.isEmpty() ? null : partition,
                    caller);
            if (waitSeconds > 0) {
                job = runner.await(job.id(), Duration.ofSeconds(Math.min(waitSeconds, 3600)));
            }
            return new Answer(202, view(job));
        } catch (MoveRunner.Refused e) {
            return problem("NONEXISTENT".equals(e.code()) ? 404 : 409, "Move refused", e.getMessage());
        }
    }

    /** This backend's moves (newest first) and, unless {@code local}, every other backend's. */
    public Answer list(boolean local) {
        List<Object> all = new ArrayList<>();
        if (node.has(NodeConfig.Role.BACKEND)) {
            jobs.recent(HISTORY).forEach(j -> all.add(view(j)));
        }
        if (!local) {
            for (String server : otherBackends()) {
                Answer there = call(server, "GET", "", null);
                if (there.ok() && there.body() instanceof List<?> moves) {
                    all.addAll(moves);
                }
            }
        }
        return new Answer(200, all);
    }

    public Answer get(String id, boolean local) {
        MoveJobs.View job = node.has(NodeConfig.Role.BACKEND) ? jobs.find(id) : null;
        if (job != null) {
            return new Answer(200, view(job));
        }
        if (!local) {
            for (String server : otherBackends()) {
                Answer there = call(server, "GET", "/" + id, null);
                if (there.ok()) {
                    return there;
                }
            }
        }
        return problem(404, "No such move", id);
    }

    public Answer cancel(String id, boolean local) {
        MoveJobs.View job = node.has(NodeConfig.Role.BACKEND) ? jobs.find(id) : null;
        if (job == null) {
            if (!local) {
                for (String server : otherBackends()) {
                    if (call(server, "GET", "/" + id, null).ok()) {
                        return call(server, "DELETE", "/" + id, null);
                    }
                }
            }
            return problem(404, "No such move", id);
        }
        if (!runner.cancel(id)) {
            return problem(409, "Cannot cancel", "move " + id + " is " + job.state() + "; only a move still copying can be cancelled");
        }
        return new Answer(202, view(jobs.find(id)));
    }

    /** A move as the API shows it, with its live progress while it runs. */
    Map<String, Object> view(MoveJobs.View j) {
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

    /** The backends other than this node: those in {@code corvid.backends} and those in the mailbox list. */
    public List<String> otherBackends() {
        TreeSet<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(BackendAddresses.configured());
        names.addAll(locations.countsByServer().keySet());
        names.remove(node.serverName());
        return new ArrayList<>(names);
    }

    /** {@code /api/internal/move-requests} on {@code server}, as this node's murder principal. */
    private Answer call(String server, String method, String path, String body) {
        return NodeCalls.call(server, method, "/api/internal/move-requests" + path, body, Duration.ofMinutes(60));
    }

    static Answer problem(int status, String title, String detail) {
        return new Answer(status, Problems.body(status, title, detail));
    }

}
