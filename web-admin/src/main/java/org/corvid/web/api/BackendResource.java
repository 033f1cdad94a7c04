package org.corvid.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.resource.ResourceException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.corvid.ejb.backend.BackendResync;
import org.corvid.ejb.backend.SpoolSweep;

/**
 * {@code GET /api/backend/resync}: the plan to bring the master's list in line with this backend (dry run);
 * {@code POST}: carry it out; {@code POST /api/backend/spool-sweep}: remove orphan spool files. Role
 * {@code corvid-admin}.
 */
@Path("backend")
@RequestScoped
@Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
public class BackendResource {
    @EJB
    private BackendResync resync;

    @EJB
    private SpoolSweep sweep;

    @GET
    @Path("resync")
    public Response plan() {
        return run(true);
    }

    @POST
    @Path("resync")
    public Response apply() {
        return run(false);
    }

    /** {@code POST /api/backend/spool-sweep}: removes spool files no message references (as at start). */
    @POST
    @Path("spool-sweep")
    public Response sweep() {
        try {
            return Response.ok(Map.of("removed", sweep.sweep()), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (java.io.IOException e) {
            return Problems.of(500, "Spool sweep failed", e.getMessage());
        }
    }

    private Response run(boolean dryRun) {
        try {
            return Response.ok(Map.of("dryRun", dryRun, "steps", resync.run(dryRun)), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (ResourceException e) {
            return Problems.of(502, "MUPDATE master unavailable", e.getMessage());
        }
    }
}
