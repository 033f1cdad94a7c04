package org.corvid.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.corvid.ejb.backend.Partitions;
import org.corvid.ejb.node.NodeConfig;

/**
 * {@code GET /api/internal/partitions}: this backend's partitions and their room, and which one new top-level
 * mailboxes go to ({@code default}); for the frontends' placement policy {@code most-free-space}. Murder
 * principals only.
 */
@Path("internal/partitions")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class InternalPartitionsResource {
    @EJB
    private NodeConfig node;

    @GET
    public Map<String, Object> partitions() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("server", node.serverName());
        body.put("default", Partitions.defaultPartition());
        body.put("partitions", node.has(NodeConfig.Role.BACKEND) ? ServersResource.partitions(node) : java.util.List.of());
        return body;
    }
}
