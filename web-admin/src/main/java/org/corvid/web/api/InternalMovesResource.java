package org.corvid.web.api;

import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.Callable;
import org.corvid.ejb.backend.Partitions;
import org.corvid.ejb.move.MoveIn;
import org.corvid.ejb.move.MoveJson;
import org.corvid.ejb.move.MoveStore;
import org.corvid.ejb.node.NodeConfig;

/**
 * {@code /api/internal/moves/{id}}: the destination end of a live move, called by the source backend (role
 * {@code corvid-backend}): {@code PUT} stages the mailboxes (hidden), {@code POST .../messages} stores a batch of
 * messages with their UIDs, {@code POST .../changes} applies flag changes and expunges, {@code POST .../commit}
 * switches (durable, ACTIVATE at the master, shown), {@code DELETE} drops what was staged.
 */
@Path("internal/moves/{id}")
@RequestScoped
@Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
public class InternalMovesResource {
    @EJB
    private MoveStore store;

    @EJB
    private MoveIn in;

    @EJB
    private NodeConfig node;

    @PathParam("id")
    private String id;

    @jakarta.ws.rs.core.Context
    private jakarta.ws.rs.core.SecurityContext security;

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    public Response stage(@QueryParam("partition") String partition, String body) {
        String p = partition == null || partition.isEmpty() ? Partitions.defaultPartition() : partition;
        return run(() -> MoveJson.lastUids(store.stage(id, p, MoveJson.mailboxes(MoveJson.parseArray(body)))));
    }

    @POST
    @Path("messages")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    public Response messages(@QueryParam("mailbox") String mailbox, InputStream body) {
        long max = Long.getLong("corvid.lmtp.max-message", 64L * 1024 * 1024);
        return run(() -> "{\"stored\":" + store.receive(id, mailbox, body, max) + "}");
    }

    @POST
    @Path("changes")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response changes(String body) {
        return run(() -> {
            store.apply(id, MoveJson.changes(MoveJson.parseArray(body)));
            return "{}";
        });
    }

    @POST
    @Path("commit")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response commit(String body) {
        return run(() -> {
            var o = MoveJson.parse(body);
            return MoveJson.lastUids(Map.of("active", (long) in.commit(id, MoveJson.names(o), o.getString("root"),
                    MoveJson.userData(o)).size()));
        });
    }

    @DELETE
    public Response abort() {
        return run(() -> "{\"discarded\":" + store.discard(id) + "}");
    }

    private Response run(Callable<String> call) {
        if (!security.isUserInRole("corvid-backend")) { // the murder's backends only, not frontends
            return Problems.of(403, "Forbidden", "only backends (role corvid-backend) send moves");
        }
        if (!node.has(NodeConfig.Role.BACKEND)) {
            return Problems.of(409, "Not a backend", node.serverName() + " holds no mail");
        }
        try {
            return Response.ok(call.call(), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (Exception e) {
            Throwable cause = e instanceof EJBException && e.getCause() != null ? e.getCause() : e;
            int status = cause instanceof IllegalStateException ? 409
                    : cause instanceof IllegalArgumentException || cause instanceof jakarta.json.JsonException ? 400
                    : cause instanceof jakarta.resource.ResourceException ? 502 : 500;
            return Problems.of(status, "Move step failed", String.valueOf(cause.getMessage()));
        }
    }
}
