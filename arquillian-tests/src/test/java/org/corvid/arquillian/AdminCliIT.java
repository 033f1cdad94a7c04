package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code bin/corvid-admin} against the deployed test server: its commands, and its errors and exit status. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdminCliIT {
    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    private record Run(int status, String out, String err) {
    }

    private static Run admin(String user, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", Path.of("../bin/corvid-admin").toAbsolutePath().toString(),
                "--url", "http://" + TestServer.HOST + ":" + TestServer.HTTP, "--user", user + ":" + user));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "corvid-admin did not finish");
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void serversStatusFindAndMailboxes() throws Exception {
        try (LineClient c = LineClient.imap("alice")) {
            c.send("C1 CREATE INBOX.cli1");
            c.readUntil("C1 ");
            c.send("C2 CREATE INBOX.cli2");
            c.readUntil("C2 ");
        }
        String node = Http.json(Http.get(TestServer.HTTP, "/api/health", null)).getString("node");
        Run servers = admin("admin", "servers");
        assertEquals(0, servers.status(), servers.err());
        assertTrue(servers.out().lines().anyMatch(l -> l.startsWith(node + " ") && l.contains(" up ")
                && l.contains("backend,frontend,mupdate (this node) default")), servers.out());

        Run status = admin("admin", "status");
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("mupdate\tmaster, synced"), status.out());
        assertTrue(status.out().lines().anyMatch(l -> l.matches("traffic\timap backend: [0-9.]+ commands/s, [1-9][0-9]* commands, [0-9]+ client connections")),
                status.out());
        assertTrue(status.out().lines().anyMatch(l -> l.startsWith("traffic\timap frontend: ") && l.contains("backend connections")),
                status.out());

        Run find = admin("admin", "find", "user.alice.cli1");
        assertEquals(0, find.status(), find.err());
        assertEquals("user.alice.cli1\t" + node + "!default\tACTIVE", find.out().lines().findFirst().orElse(""));
        assertTrue(find.out().lines().anyMatch(l -> l.matches("messages\t0, 0 bytes, uidvalidity [0-9]+, uidnext 1")), find.out());

        Run json = admin("admin", "mailboxes", "--prefix", "user.alice.cli1", "--json"); // a global option after the command
        assertEquals(0, json.status(), json.err());
        assertTrue(json.out().startsWith("{\"name\":\"user.alice.cli1\""), json.out());

        Run list = admin("admin", "mailboxes", "--prefix", "user.alice.cli", "--limit", "0");
        assertEquals(0, list.status(), list.err());
        assertEquals(List.of("user.alice.cli1\t" + node + "!default\tACTIVE", "user.alice.cli2\t" + node + "!default\tACTIVE"),
                list.out().lines().toList());
        assertEquals("2 of 2 mailboxes under user.alice.cli", list.err().trim());
    }

    @Test
    void failuresGoToStderrWithExitStatusOne() throws Exception {
        Run missing = admin("admin", "find", "user.nobody.here");
        assertEquals(1, missing.status());
        assertTrue(missing.err().startsWith("corvid-admin: HTTP 404 No such mailbox: "), missing.err());
        Run user = admin("alice", "servers");
        assertEquals(1, user.status());
        assertTrue(user.err().contains("not allowed"), user.err());
        Run usage = admin("admin", "nosuchcommand");
        assertEquals(2, usage.status());
    }
}
