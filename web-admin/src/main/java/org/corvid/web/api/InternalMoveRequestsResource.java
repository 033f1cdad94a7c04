package org.corvid.web.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /api/internal/move-requests}: what another node's {@link MoveRequests} asks of this backend for an
 * administrator it has authenticated (roles {@code corvid-backend} or {@code corvid-frontend}: the murder's own
 * principals): start a move whose source is here, list this backend's moves, show or cancel one.
 */
@Path("internal/move-requests")
@RequestScoped
@Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
public class InternalMoveRequestsResource {
    @Inject
    private MoveRequests moves;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(String body, @QueryParam("wait") @DefaultValue("0") int waitSeconds) {
        return MovesResource.start(moves, body, null, waitSeconds);
    }

    @GET
    public Response list() {
        return MovesResource.answer(moves.list(true));
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return MovesResource.answer(moves.get(id, true));
    }

    @DELETE
    @Path("{id}")
    public Response cancel(@PathParam("id") String id) {
        return MovesResource.answer(moves.cancel(id, true));
    }
}
