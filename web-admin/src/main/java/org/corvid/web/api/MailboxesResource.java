package org.corvid.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.mupdate.MupdateRecord;

/**
 * {@code GET /api/mailboxes?prefix=&after=&limit=}: the murder's mailboxes whose names start with
 * {@code prefix}, in name order, a page at a time ({@code limit} 1 to 1000, default 100; the next page starts
 * {@code after} the last name of this one, given as {@code next} while more follow). Read from this node's
 * location cache, so it answers on any node that has the list, and pages through 1M entries without sorting
 * them all.
 */
@Path("mailboxes")
@RequestScoped
@Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
public class MailboxesResource {
    static final int MAX_LIMIT = 1000;

    @EJB
    private LocationCache locations;

    @jakarta.inject.Inject
    private MailboxDetails details;

    /**
     * {@code GET /api/mailboxes/{name}}: the list's entry (location, state, ACL) and the figures of the backend
     * holding it ({@code details}: UIDs, messages, bytes, quota root with usage and limits; null with a
     * {@code detailsError} if that backend cannot tell, e.g. a Cyrus backend). With {@code details=false}, only
     * the entry as this node's location cache has it (no backend asked: what this node routes by).
     */
    @GET
    @jakarta.ws.rs.Path("{name}")
    public Response get(@jakarta.ws.rs.PathParam("name") String name,
                        @QueryParam("details") @DefaultValue("true") boolean withDetails) {
        MupdateRecord r = locations.lookup(name);
        if (r == null) {
            return Problems.of(404, "No such mailbox", name + " is not in the mailbox list");
        }
        return Response.ok(withDetails ? details.of(r) : item(r), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @GET
    public Response search(@QueryParam("prefix") @DefaultValue("") String prefix, @QueryParam("after") String after,
                           @QueryParam("limit") @DefaultValue("100") String limitText) {
        int limit;
        try {
            limit = Integer.parseInt(limitText);
        } catch (NumberFormatException e) {
            limit = 0;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            return Problems.of(400, "Invalid limit", "limit must be a number from 1 to " + MAX_LIMIT + ", not " + limitText);
        }
        LocationCache.Page page = locations.page(prefix, after == null || after.isEmpty() ? null : after, limit);
        List<Map<String, Object>> items = page.items().stream().map(MailboxesResource::item).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prefix", prefix);
        body.put("matching", page.matching());
        body.put("items", items);
        body.put("next", page.more() ? page.items().get(page.items().size() - 1).name() : null);
        return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
    }

    static Map<String, Object> item(MupdateRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("server", r.server());
        int bang = r.location().indexOf('!');
        m.put("partition", bang < 0 ? "" : r.location().substring(bang + 1));
        m.put("state", r.state().name());
        m.put("acl", r.acl());
        return m;
    }
}
