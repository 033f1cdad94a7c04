package org.corvid.web.api;

import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Error answers of the REST API as RFC 9457 problem details ({@code application/problem+json}). */
final class Problems {
    private Problems() {
    }

    static Response of(int status, String title, String detail) {
        return Response.status(status).type("application/problem+json").entity(body(status, title, detail)).build();
    }

    /** The problem document itself. */
    static Map<String, Object> body(int status, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        return body;
    }
}
