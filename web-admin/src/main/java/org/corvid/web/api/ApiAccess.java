package org.corvid.web.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.Provider;

/**
 * Who may call the API: {@code /api/health} anyone, {@code /api/internal/*} the murder's principals (web.xml),
 * everything else the role {@code corvid-admin}, authenticated by HTTP Basic or by the console's session.
 * Checked here rather than by a web.xml constraint because the console's form login would answer an anonymous
 * API call with a redirect to the login page; an API client gets {@code 401} with a Basic challenge instead.
 */
@Provider
public class ApiAccess implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        if (path.equals("health") || path.startsWith("internal/")) {
            return;
        }
        SecurityContext security = request.getSecurityContext();
        if (security.getUserPrincipal() == null) {
            request.abortWith(Response.fromResponse(Problems.of(401, "Unauthorized", "log in as an administrator"))
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"Corvid\"").build());
        } else if (!security.isUserInRole("corvid-admin")) {
            request.abortWith(Problems.of(403, "Forbidden", "role corvid-admin required"));
        }
    }
}
