package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /api/health} reports the node and its listeners live from the adapter. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HealthIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + TestServer.HOST + ":" + TestServer.HTTP + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject health() throws Exception {
        HttpResponse<String> r = get("/api/health");
        assertEquals(200, r.statusCode(), r.body());
        return Json.createReader(new StringReader(r.body())).readObject();
    }

    private static Map<String, JsonObject> listenersByProtocol(JsonObject health) {
        return health.getJsonArray("listeners").stream().map(JsonValue::asJsonObject)
                .collect(Collectors.toMap(l -> l.getString("protocol") + (l.getBoolean("tls") ? "S" : ""), l -> l));
    }

    @Test
    void reportsNodeRolesSchemasAndEveryListenerWithItsPort() throws Exception {
        JsonObject h = health();
        assertEquals(List.of("backend", "frontend", "mupdate"),
                h.getJsonArray("roles").getValuesAs(jakarta.json.JsonString::getString));
        assertTrue(h.getString("dataDir").endsWith("test-data"), h.toString());
        assertEquals("3", h.getJsonObject("schemas").getString("mupdate"));
        assertEquals("8", h.getJsonObject("schemas").getString("mailstore"));
        int listed = listedByMupdate("");
        assertEquals(listed, h.getJsonObject("mailboxes").getInt("mupdate"),
                "counted through the mupdate unit = entries MUPDATE LIST shows");
        assertEquals(listed, h.getJsonObject("mailboxes").getInt("corvid-locations"),
                "the location cache holds every committed entry");
        assertEquals(listedByMupdate("\"" + h.getString("node") + "!\""), h.getJsonObject("mailboxes").getInt("mailstore"),
                "read through the mailstore unit: this backend holds what the master places on it");
        Map<String, JsonObject> l = listenersByProtocol(h);
        assertEquals(TestServer.IMAP, l.get("IMAP").getInt("port"));
        assertEquals(TestServer.IMAPS, l.get("IMAPS").getInt("port"));
        assertEquals(TestServer.POP3, l.get("POP3").getInt("port"));
        assertEquals(TestServer.LMTP, l.get("LMTP").getInt("port"));
        assertEquals(TestServer.MUPDATE, l.get("MUPDATE").getInt("port"));
        assertTrue(h.getJsonObject("jvm").getJsonNumber("heapUsed").longValue() > 0);
    }

    /** Entries in the master's list, as MUPDATE LIST shows them. */
    /** Entries MUPDATE LIST shows, optionally only at locations starting with a (quoted) prefix. */
    private static int listedByMupdate(String prefix) throws Exception {
        try (LineClient c = LineClient.mupdate(LineClient.FRONTEND)) {
            c.send("L1 LIST" + (prefix.isEmpty() ? "" : " " + prefix));
            int entries = 0;
            String line;
            while (!(line = c.read()).equals("L1 OK \"list complete\"")) {
                if (line.startsWith("L1 MAILBOX ") || line.startsWith("L1 RESERVE ")) {
                    entries++;
                }
            }
            return entries;
        }
    }

    @Test
    void openConnectionsAreCountedLive() throws Exception {
        int before = listenersByProtocol(health()).get("IMAP").getInt("openConnections");
        try (Socket a = new Socket(TestServer.HOST, TestServer.IMAP);
             Socket b = new Socket(TestServer.HOST, TestServer.IMAP)) {
            a.getInputStream().read(); // greeting started: the connection is registered
            b.getInputStream().read();
            assertEquals(before + 2, listenersByProtocol(health()).get("IMAP").getInt("openConnections"));
        }
        int after = before + 2;
        for (int i = 0; i < 50 && after != before; i++) {
            Thread.sleep(100);
            after = listenersByProtocol(health()).get("IMAP").getInt("openConnections");
        }
        assertEquals(before, after);
    }

    @Test
    void theRestOfTheApiNeedsAnAdmin() throws Exception {
        assertEquals(401, get("/api/servers").statusCode());
    }
}
