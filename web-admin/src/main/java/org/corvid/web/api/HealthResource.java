package org.corvid.web.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ejb.EJB;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.corvid.ejb.node.NodeStatus;
import org.corvid.ejb.node.NodeStatusService;

/**
 * {@code GET /api/health}: node name, roles, each protocol listener with its port and open connections (live
 * from the adapter), schema versions and heap. Public, so load balancers and scripts can poll it.
 */
@Path("health")
@RequestScoped
public class HealthResource {
    @EJB
    private NodeStatusService status;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public NodeStatus health() {
        return status.status();
    }
}
