package org.corvid.web.api;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.RequestScoped;
import jakarta.resource.ResourceException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.corvid.jca.api.mupdate.MupdateConnection;
import org.corvid.jca.api.mupdate.MupdateConnectionFactory;

/**
 * {@code GET /api/mupdate/mailboxes/{name}}: what the murder's MUPDATE master says about one mailbox, asked
 * (FIND) through this node's pooled MUPDATE client, so it works on any node, frontend or slave included.
 */
@Path("mupdate")
@RequestScoped
public class MupdateResource {
    @Resource(lookup = MupdateConnectionFactory.JNDI_NAME)
    private MupdateConnectionFactory master;

    @jakarta.ejb.EJB
    private org.corvid.ejb.node.NodeStatusService status;

    @jakarta.ejb.EJB
    private org.corvid.ejb.location.LocationCache locations;

    @jakarta.ejb.EJB
    private org.corvid.ejb.mupdate.MupdateChanges changes;

    /**
     * {@code GET /api/mupdate/status}: this node's MUPDATE side ({@code master}, {@code slave} or {@code none}),
     * the master it follows, whether it holds the master's whole list, the list's size here, and the UPDATE
     * subscribers streaming from this node.
     */
    @GET
    @Path("status")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> status() {
        var m = status.status().mupdate();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mode", m.mode());
        body.put("master", m.mode().equals("master") ? null : m.master());
        body.put("synced", m.synced());
        body.put("listSize", locations.size());
        body.put("streamingClients", m.streamingClients());
        body.put("clusterMembers", m.clusterMembers());
        body.put("cutOff", m.cutOff());
        body.put("streams", changes.streams().stream().map(st -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("client", st.client());
            one.put("user", st.user());
            one.put("since", st.since());
            one.put("dumping", st.dumping());
            one.put("changesSent", st.changesSent());
            one.put("changesBuffered", st.changesBuffered());
            one.put("pendingBytes", st.pendingBytes());
            return one;
        }).toList());
        return body;
    }

    @GET
    @Path("mailboxes/{name}")
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public Response find(@PathParam("name") String name) {
        try (MupdateConnection c = master.getConnection()) {
            return c.find(name).map(e -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("name", e.name());
                body.put("state", e.kind() == org.corvid.jca.api.mupdate.MupdateEntry.Kind.MAILBOX ? "ACTIVE" : "RESERVED");
                body.put("location", e.location());
                body.put("acl", e.acl());
                body.put("master", master.master());
                return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
            }).orElseGet(() -> Problems.of(404, "No such mailbox",
                    name + " is not in the list of the MUPDATE master " + master.master()));
        } catch (ResourceException e) {
            return Problems.of(502, "MUPDATE master unavailable", e.getMessage());
        }
    }
}
