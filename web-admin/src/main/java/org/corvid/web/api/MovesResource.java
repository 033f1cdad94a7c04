package org.corvid.web.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.StringReader;

/**
 * {@code /api/moves}: live moves of mailboxes between backends. {@code POST} starts one ({@code mailbox},
 * {@code server}, optional {@code partition}; a user's INBOX {@code user.bob} moves the whole user), on whichever
 * node it is asked ({@link MoveRequests}). {@code GET} lists the moves of every backend (newest first),
 * {@code GET /{id}} one with its progress, {@code DELETE /{id}} cancels one still copying (it rolls back).
 */
@Path("moves")
@RequestScoped
@Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
public class MovesResource {
    @Inject
    private MoveRequests moves;

    @Context
    private SecurityContext security;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(String body, @QueryParam("wait") @DefaultValue("0") int waitSeconds) {
        return start(moves, body, security.getUserPrincipal().getName(), waitSeconds);
    }

    /**
     * A move request's JSON ({@code mailbox}, {@code server}, optional {@code partition}) started for
     * {@code caller}, or (null) for the {@code requestedBy} it names (another node asking).
     */
    static Response start(MoveRequests moves, String body, String caller, int waitSeconds) {
        JsonObject o;
        try (var r = Json.createReader(new StringReader(body))) {
            o = r.readObject();
        } catch (RuntimeException e) {
            return Problems.of(400, "Invalid request", "expected {\"mailbox\": ..., \"server\": ...}");
        }
        return answer(moves.start(o.getString("mailbox", ""), o.getString("server", ""), o.getString("partition", null),
                caller != null ? caller : o.getString("requestedBy", "?"), waitSeconds));
    }

    @GET
    public Response list(@QueryParam("local") @DefaultValue("false") boolean local) {
        return answer(moves.list(local));
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id, @QueryParam("local") @DefaultValue("false") boolean local) {
        return answer(moves.get(id, local));
    }

    @DELETE
    @Path("{id}")
    public Response cancel(@PathParam("id") String id) {
        return answer(moves.cancel(id, false));
    }

    /** {@link MoveRequests}' answer as a response: JSON, or a problem. */
    static Response answer(MoveRequests.Answer a) {
        return Response.status(a.status()).type(a.ok() ? MediaType.APPLICATION_JSON : "application/problem+json")
                .entity(a.body()).build();
    }
}
