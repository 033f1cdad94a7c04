package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Base64;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The spool sweep removes old files no message references (and directories of mailboxes that are gone) and
 * keeps every referenced message and every recent file.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SpoolSweepIT {
    private static final Path SPOOL = Path.of("target/test-data/spool/default");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    @Test
    void orphansGoMessagesStay() throws Exception {
        String mailboxDir;
        try (LineClient c = LineClient.imap("alice")) {
            c.send("C1 CREATE INBOX.sweep");
            c.readUntil("C1 ");
            c.send("A1 APPEND INBOX.sweep {13+}\r\nSubject: keep");
            c.readUntil("A1 OK");
            // the directory just written is the newest one
            try (var dirs = Files.list(SPOOL)) {
                mailboxDir = dirs.max((a, b) -> a.toFile().lastModified() < b.toFile().lastModified() ? -1 : 1)
                        .orElseThrow().getFileName().toString();
            }
            FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
            Path orphan = Files.writeString(SPOOL.resolve(mailboxDir).resolve("orphan.eml"), "x");
            Files.setLastModifiedTime(orphan, old);
            Path tmp = Files.writeString(SPOOL.resolve(mailboxDir).resolve("half.eml.tmp"), "x");
            Files.setLastModifiedTime(tmp, old);
            Path recent = Files.writeString(SPOOL.resolve(mailboxDir).resolve("recent.eml"), "x");
            Path gone = Files.createDirectories(SPOOL.resolve("no-such-mailbox"));
            Files.setLastModifiedTime(Files.writeString(gone.resolve("a.eml"), "x"), old);

            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                    + TestServer.HOST + ":" + TestServer.HTTP + "/api/backend/spool-sweep"))
                    .POST(HttpRequest.BodyPublishers.noBody()).header("Authorization", "Basic "
                            + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(Http.json(r).getInt("removed") >= 3, r.body());
            assertFalse(Files.exists(orphan));
            assertFalse(Files.exists(tmp));
            assertFalse(Files.exists(gone), "the directory of a mailbox that is gone");
            assertTrue(Files.exists(recent), "recent files may belong to a delivery in progress");
            Files.delete(recent);

            c.send("S1 SELECT INBOX.sweep");
            c.readUntil("S1 OK");
            c.send("F1 FETCH 1 BODY.PEEK[]");
            assertEquals("* 1 FETCH (BODY[] {13}", c.read());
            assertEquals("Subject: keep)", c.read());
        }
    }
}
