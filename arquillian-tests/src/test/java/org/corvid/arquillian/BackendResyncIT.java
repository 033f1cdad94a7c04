package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The backend's resync with the master ({@code ctl_mboxlist -m} semantics) through the REST API: a dry run
 * lists the plan (ACTIVATE a mailbox the master lost, DELETE a master entry for this server that does not
 * exist here, REPORT a local mailbox the master places elsewhere), POST carries it out, and the master's list
 * is right afterwards; the reported mailbox is left as it is.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BackendResyncIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    private static Set<String> steps(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return Http.json(r).getJsonArray("steps").stream().map(JsonValue::asJsonObject)
                .map(s -> s.getString("action") + " " + s.getString("mailbox")).collect(Collectors.toSet());
    }

    private static HttpResponse<String> post(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + TestServer.HOST + ":"
                + TestServer.HTTP + path)).POST(HttpRequest.BodyPublishers.noBody()).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Runs {@code bin/corvid-resync} (a dry run unless --apply) against the test server; its output. */
    private static String resyncScript(String... args) throws Exception {
        assumeTrue(new java.io.File("/usr/bin/curl").canExecute(), "curl not installed: skipping the script");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("../bin/corvid-resync", "--url",
                "http://" + TestServer.HOST + ":" + TestServer.HTTP));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, out);
        return out;
    }

    private static String mupdate(LineClient w, String tag, String command) throws Exception {
        w.send(tag + " " + command);
        return w.read();
    }

    @Test
    void dryRunThenApply() throws Exception {
        String server = Http.json(Http.get(TestServer.HTTP, "/api/health", null)).getString("node");
        try (LineClient imap = LineClient.imap("admin")) {
            imap.send("C1 CREATE user.rslost");
            assertEquals("C1 OK Completed", imap.readUntil("C1 "));
            imap.send("C2 CREATE user.rselsewhere");
            assertEquals("C2 OK Completed", imap.readUntil("C2 "));
        }
        try (LineClient w = LineClient.mupdate(LineClient.MURDER)) {
            assertEquals("X1 OK \"done\"", mupdate(w, "X1", "DELETE \"user.rslost\""));
            assertEquals("X2 OK \"done\"", mupdate(w, "X2", "ACTIVATE \"user.rsghost\" \"" + server + "!default\" \"\""));
            assertEquals("X3 OK \"done\"", mupdate(w, "X3", "ACTIVATE \"user.rselsewhere\" \"otherbe!default\" \"\""));
        }
        Set<String> plan = steps(Http.get(TestServer.HTTP, "/api/backend/resync", "admin"));
        assertTrue(plan.containsAll(Set.of("ACTIVATE user.rslost", "DELETE user.rsghost", "REPORT user.rselsewhere")), plan.toString());
        assertEquals(401, Http.get(TestServer.HTTP, "/api/backend/resync", null).statusCode());
        String script = resyncScript("--user", "admin:admin");
        assertTrue(script.contains("\"ACTIVATE\"") && script.contains("user.rslost") && script.contains("user.rsghost"),
                "bin/corvid-resync prints the plan: " + script);

        assertTrue(steps(post("/api/backend/resync")).containsAll(plan));
        Set<String> after = steps(Http.get(TestServer.HTTP, "/api/backend/resync", "admin"));
        assertEquals(Set.of("REPORT user.rselsewhere"), after.stream().filter(s -> s.contains(" user.rs")).collect(Collectors.toSet()));

        JsonObject lost = Http.json(Http.get(TestServer.HTTP, "/api/mupdate/mailboxes/user.rslost", "admin"));
        assertEquals(server + "!default", lost.getString("location"));
        assertEquals(404, Http.get(TestServer.HTTP, "/api/mupdate/mailboxes/user.rsghost", "admin").statusCode());
        assertEquals("otherbe!default", Http.json(Http.get(TestServer.HTTP, "/api/mupdate/mailboxes/user.rselsewhere",
                "admin")).getString("location"), "a local mailbox the master places elsewhere is only reported");

        // leave the backend and the master consistent for the other tests
        try (LineClient imap = LineClient.imap("admin")) {
            imap.send("D1 DELETE user.rselsewhere");
            assertEquals("D1 OK Completed", imap.readUntil("D1 "));
            imap.send("D2 DELETE user.rslost");
            assertEquals("D2 OK Completed", imap.readUntil("D2 "));
        }
        assertTrue(steps(Http.get(TestServer.HTTP, "/api/backend/resync", "admin")).stream()
                .noneMatch(s -> s.contains(" user.rs")));
        assertEquals("otherbe!default", Http.json(Http.get(TestServer.HTTP, "/api/mupdate/mailboxes/user.rselsewhere",
                "admin")).getString("location"), "deleting the local copy leaves the master's entry for another server");
    }
}
