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

/**
 * {@code GET /api/backend/resync}: the plan to bring the master's list in line with this backend (dry run);
 * {@code POST}: carry it out. Role {@code corvid-admin}.
 */
@Path("backend/resync")
@RequestScoped
@Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
public class BackendResource {
    @EJB
    private BackendResync resync;

    @GET
    public Response plan() {
        return run(true);
    }

    @POST
    public Response apply() {
        return run(false);
    }

    private Response run(boolean dryRun) {
        try {
            return Response.ok(Map.of("dryRun", dryRun, "steps", resync.run(dryRun)), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (ResourceException e) {
            return Problems.of(502, "MUPDATE master unavailable", e.getMessage());
        }
    }
}
