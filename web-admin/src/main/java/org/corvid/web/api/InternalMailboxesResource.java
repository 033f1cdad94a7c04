package org.corvid.web.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code GET /api/internal/mailboxes/{name}}: this backend's figures of one of its mailboxes
 * ({@link MailboxDetails#local}), for another node's {@code GET /api/mailboxes/{name}}; murder principals only.
 */
@Path("internal/mailboxes")
@RequestScoped
@Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
public class InternalMailboxesResource {
    @Inject
    private MailboxDetails details;

    @GET
    @Path("{name}")
    public Response get(@PathParam("name") String name) {
        Map<String, Object> here = details.local(name);
        return here == null ? Problems.of(404, "No such mailbox", name + " is not in this backend's store")
                : Response.ok(here, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
