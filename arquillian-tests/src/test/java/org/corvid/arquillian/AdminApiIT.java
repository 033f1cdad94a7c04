package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin REST API's read side: servers, mailbox search with paging, MUPDATE status, OpenAPI, and who may call it. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminApiIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    private static JsonArray array(HttpResponse<String> r) {
        return Json.createReader(new StringReader(r.body())).readArray();
    }

    @Test
    void onlyAdministratorsMayCallIt() throws Exception {
        for (String path : List.of("/api/servers", "/api/mailboxes", "/api/mupdate/status", "/api/moves", "/api/jmx")) {
            assertEquals(401, Http.get(TestServer.HTTP, path, null).statusCode(), path + " anonymous");
            assertEquals(403, Http.get(TestServer.HTTP, path, "alice").statusCode(), path + " as a user");
        }
    }

    @Test
    void theCorvidMBeansAreReadableThroughTheApi() throws Exception {
        HttpResponse<String> r = Http.get(TestServer.HTTP, "/api/jmx", "admin");
        assertEquals(200, r.statusCode(), r.body());
        JsonObject mbeans = Http.json(r);
        JsonObject mupdate = mbeans.getJsonObject("org.corvid:type=Mupdate");
        assertEquals("master", mupdate.getString("Mode"), mupdate.toString());
        long cached = Http.json(Http.get(TestServer.HTTP, "/api/health", null)).getJsonObject("mailboxes")
                .getJsonNumber("corvid-locations").longValue();
        assertEquals(cached, mupdate.getJsonNumber("ListSize").longValue(), "the location cache's size, as health says");
        JsonObject moves = mbeans.getJsonObject("org.corvid:type=Moves");
        assertEquals(0, moves.getInt("Running"), moves.toString());
        assertEquals(-1, moves.getJsonNumber("LongestFinalPhaseMillis").longValue(), "no move on the test server");
        assertTrue(mbeans.keySet().stream().anyMatch(n -> n.startsWith("org.corvid:type=Listener,protocol=imap")), mbeans.keySet().toString());
    }

    @Test
    void aMailboxsDetailsShowItsBackendsFiguresAndQuota() throws Exception {
        String user = "user.apidetails" + System.nanoTime() % 100_000;
        try (LineClient c = LineClient.imap("admin")) {
            for (String command : List.of("CREATE " + user, "SETQUOTA " + user + " (STORAGE 51200 MESSAGE 5000)",
                    "SETACL " + user + " admin lrswipkxtecda", "APPEND " + user + " {19+}\r\nSubject: details\r\n\r\n")) {
                c.send("Q1 " + command);
                assertTrue(c.readUntil("Q1 ").startsWith("Q1 OK"), command);
            }
        }
        HttpResponse<String> r = Http.get(TestServer.HTTP, "/api/mailboxes/" + user, "admin");
        assertEquals(200, r.statusCode(), r.body());
        JsonObject box = Http.json(r);
        assertEquals(user, box.getString("name"));
        JsonObject details = box.getJsonObject("details");
        assertEquals(1, details.getJsonNumber("messages").longValue(), details.toString());
        assertTrue(details.getJsonNumber("uidValidity").longValue() > 0, details.toString());
        JsonObject quota = details.getJsonObject("quota");
        assertEquals(user, quota.getString("root"));
        assertEquals(51200, quota.getJsonNumber("storageLimitKib").longValue());
        assertEquals(5000, quota.getJsonNumber("messageLimit").longValue());
        assertEquals(1, quota.getJsonNumber("messagesUsed").longValue(), quota.toString());
        HttpResponse<String> missing = Http.get(TestServer.HTTP, "/api/mailboxes/user.nobody-here", "admin");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    }

    @Test
    void mailboxesArePagedByPrefixInNameOrder() throws Exception {
        for (String box : List.of("INBOX.api1", "INBOX.api2", "INBOX.api3")) {
            try (LineClient c = LineClient.imap("bob")) {
                c.send("C1 CREATE " + box);
                c.readUntil("C1 ");
            }
        }
        HttpResponse<String> first = Http.get(TestServer.HTTP, "/api/mailboxes?prefix=user.bob.api&limit=2", "admin");
        assertEquals(200, first.statusCode(), first.body());
        JsonObject page = Http.json(first);
        assertEquals(3, page.getInt("matching"));
        assertEquals(List.of("user.bob.api1", "user.bob.api2"),
                page.getJsonArray("items").getValuesAs(JsonObject.class).stream().map(o -> o.getString("name")).toList());
        JsonObject item = page.getJsonArray("items").getJsonObject(0);
        assertEquals("ACTIVE", item.getString("state"));
        assertEquals("default", item.getString("partition"));
        assertTrue(item.getString("acl").startsWith("bob\t"), item.toString());
        assertEquals("user.bob.api2", page.getString("next"));
        JsonObject last = Http.json(Http.get(TestServer.HTTP, "/api/mailboxes?prefix=user.bob.api&limit=2&after=user.bob.api2", "admin"));
        assertEquals(List.of("user.bob.api3"),
                last.getJsonArray("items").getValuesAs(JsonObject.class).stream().map(o -> o.getString("name")).toList());
        assertTrue(last.isNull("next"), "the last page: " + last);

        HttpResponse<String> bad = Http.get(TestServer.HTTP, "/api/mailboxes?limit=0", "admin");
        assertEquals(400, bad.statusCode());
        assertEquals("application/problem+json", bad.headers().firstValue("Content-Type").orElse(""));
        assertEquals("Invalid limit", Http.json(bad).getString("title"));
    }

    @Test
    void serversListThisNodeWithItsRolesPartitionsAndMailboxCount() throws Exception {
        LineClient.imap("alice").close(); // her INBOX, created at first login, is on this node
        HttpResponse<String> r = Http.get(TestServer.HTTP, "/api/servers", "admin");
        assertEquals(200, r.statusCode(), r.body());
        String node = Http.json(Http.get(TestServer.HTTP, "/api/health", null)).getString("node");
        JsonObject self = array(r).getValuesAs(JsonObject.class).stream().filter(s -> s.getBoolean("self")).findFirst().orElseThrow();
        assertEquals(node, self.getString("name"));
        assertEquals("up", self.getString("status"));
        assertEquals(List.of("backend", "frontend", "mupdate"),
                self.getJsonArray("roles").getValuesAs(jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).toList());
        assertTrue(self.getJsonNumber("mailboxes").longValue() > 0, self.toString());
        JsonObject partition = self.getJsonArray("partitions").getJsonObject(0);
        assertEquals("default", partition.getString("name"));
        assertTrue(partition.getJsonNumber("freeBytes").longValue() > 0, partition.toString());
    }

    @Test
    void mupdateStatusShowsTheMasterAndItsListSize() throws Exception {
        JsonObject status = Http.json(Http.get(TestServer.HTTP, "/api/mupdate/status", "admin"));
        assertEquals("master", status.getString("mode"));
        assertTrue(status.getBoolean("synced"));
        assertTrue(status.getInt("listSize") > 0, status.toString());
    }

    @Test
    void theOpenApiDocumentIsServed() throws Exception {
        HttpResponse<String> r = Http.get(TestServer.HTTP, "/openapi.yaml", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("openapi: 3.0.3") && r.body().contains("/mailboxes:"), r.body());
    }
}
