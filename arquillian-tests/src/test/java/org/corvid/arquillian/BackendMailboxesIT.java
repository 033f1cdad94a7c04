package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The backend agrees every mailbox-list change with the MUPDATE master: after an IMAP CREATE the master's
 * FIND shows the mailbox at {@code <server>!default} with its ACL, after RENAME the new name only, after
 * DELETE nothing; an admin's CREATE of {@code user.<name>} creates a user (INBOX owned by that user) and its
 * DELETE removes the user with every folder; a first login creates the INBOX.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BackendMailboxesIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    private static String server() throws Exception {
        return Http.json(Http.get(TestServer.HTTP, "/api/health", null)).getString("node");
    }


    private static String command(LineClient c, String tag, String command) throws Exception {
        c.send(tag + " " + command);
        return c.readUntil(tag + " ");
    }

    @Test
    void createRenameDeleteAreAgreedWithTheMaster() throws Exception {
        String server = server();
        try (LineClient c = LineClient.imap("alice")) {
            assertEquals(List.of("F1 MAILBOX {10+}", "user.alice {" + (server.length() + 8) + "+}",
                    server + "!default {21+}", "alice\tlrswipkxtecdan\t"), LineClient.mupdateFind("user.alice"), "INBOX autocreated");
            assertEquals("C1 OK Completed", command(c, "C1", "CREATE INBOX.itwork"));
            assertEquals(List.of("F1 MAILBOX {17+}", "user.alice.itwork {" + (server.length() + 8) + "+}",
                    server + "!default {21+}", "alice\tlrswipkxtecdan\t"), LineClient.mupdateFind("user.alice.itwork"));
            assertEquals("C1b OK Completed", command(c, "C1b", "SETACL INBOX.itwork bob lrs"));
            assertEquals("alice\tlrswipkxtecdan\tbob\tlrs\t", LineClient.mupdateFind("user.alice.itwork").get(3),
                    "SETACL is ACTIVATEd at the master with the new ACL");
            assertEquals("C2 OK Completed", command(c, "C2", "RENAME INBOX.itwork INBOX.itdone"));
            assertEquals(List.of(), LineClient.mupdateFind("user.alice.itwork"));
            assertEquals("F1 MAILBOX {17+}", LineClient.mupdateFind("user.alice.itdone").get(0));
            assertEquals("C3 OK Completed", command(c, "C3", "DELETE INBOX.itdone"));
            assertEquals(List.of(), LineClient.mupdateFind("user.alice.itdone"));
        }
    }

    @Test
    void anAdminCreatesAndDeletesAUser() throws Exception {
        try (LineClient c = LineClient.imap("admin")) {
            assertEquals("A1 OK Completed", command(c, "A1", "CREATE user.itcarol"));
            assertEquals("A2 OK Completed", command(c, "A2", "CREATE user.itcarol.drafts"));
            assertEquals("itcarol\tlrswipkxtecdan\t", LineClient.mupdateFind("user.itcarol").get(3));
            assertEquals("A3 OK Completed", command(c, "A3", "CREATE itshared"));
            assertEquals("anyone\tlrs\t", LineClient.mupdateFind("itshared").get(3));
            assertEquals("A4 OK Completed", command(c, "A4", "DELETE user.itcarol"));
            assertEquals(List.of(), LineClient.mupdateFind("user.itcarol"));
            assertEquals(List.of(), LineClient.mupdateFind("user.itcarol.drafts"), "deleting a user deletes its folders");
            assertEquals("A5 OK Completed", command(c, "A5", "DELETE itshared"));
        }
    }

    @Test
    void aNameTakenElsewhereInTheMurderCannotBeCreated() throws Exception {
        try (LineClient w = LineClient.mupdate(LineClient.MURDER)) {
            w.send("X1 ACTIVATE \"user.bob.elsewhere\" \"otherbackend!default\" \"bob\tlrswipkxtecdan\t\"");
            assertEquals("X1 OK \"done\"", w.read());
        }
        try (LineClient c = LineClient.imap("bob")) {
            assertEquals("B1 NO [ALREADYEXISTS] Mailbox already exists", command(c, "B1", "CREATE INBOX.elsewhere"));
        }
        assertEquals("otherbackend!default {19+}", LineClient.mupdateFind("user.bob.elsewhere").get(2), "the master's entry is untouched");
    }

    /**
     * Headers are kept beside the metadata for SEARCH and FETCH ENVELOPE, up to 64 KiB; a larger header is read
     * from the spool file, with the same answers.
     */
    @Test
    void aMessageWithAHeaderOver64KiBIsSearchedAndFetchedFromItsSpoolFile() throws Exception {
        StringBuilder header = new StringBuilder("Subject: huge header\r\nFrom: Big <big@example.org>\r\n");
        for (int i = 0; header.length() < 70_000; i++) {
            header.append("X-Filler-").append(i).append(": ").append("x".repeat(60)).append("\r\n");
        }
        String message = header + "\r\nbody\r\n";
        try (LineClient c = LineClient.imap("bob")) {
            command(c, "C1", "CREATE INBOX.hugeheader");
            c.sendRaw("A1 APPEND INBOX.hugeheader {" + message.length() + "+}\r\n" + message + "\r\n");
            String appended = c.readUntil("A1 ");
            assertTrue(appended.startsWith("A1 OK"), appended);
            String small = "Subject: small header\r\nFrom: s@x.org\r\n\r\nhi";
            c.send("A2 APPEND INBOX.hugeheader {" + small.length() + "+}\r\n" + small);
            assertTrue(c.readUntil("A2 ").startsWith("A2 OK"));
            command(c, "S1", "EXAMINE INBOX.hugeheader");
            c.send("S2 SEARCH SUBJECT huge");
            assertEquals(List.of("* SEARCH 1", "S2 OK Completed"), c.answer("S2"));
            c.send("S3 SEARCH FROM s@x.org");
            assertEquals(List.of("* SEARCH 2", "S3 OK Completed"), c.answer("S3"));
            c.send("F1 FETCH 1:2 (ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            List<String> lines = c.answer("F1");
            assertTrue(lines.get(0).startsWith("* 1 FETCH (ENVELOPE (NIL \"huge header\" ((\"Big\" NIL \"big\" \"example.org\"))"), lines.get(0));
            assertEquals("Subject: huge header", lines.get(1));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("* 2 FETCH (ENVELOPE (NIL \"small header\"")), lines.toString());
            assertEquals("F1 OK Completed", lines.get(lines.size() - 1));
            command(c, "D1", "DELETE INBOX.hugeheader");
        }
    }

    /** Runs one of the operations CLI scripts of wildfly-config against the test server. */
    private static String cli(String script, String... properties) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("jboss.home"), "bin/jboss-cli.sh").toString(), "-c",
                "--controller=remote+http://" + TestServer.HOST + ":" + (9990 + TestServer.OFFSET),
                "--resolve-parameter-values", "--file=../wildfly-config/src/main/cli/ops/" + script));
        cmd.addAll(List.of(properties));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, script + ": " + out);
        return out;
    }

    /** A partition added by its CLI script is usable at once: an admin creates a mailbox on it, children follow. */
    @Test
    void aPartitionAddedWithTheCliScriptIsUsedWithoutARestart() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "itpart");
        cli("add-partition.cli", "-Dpartition=itpart", "-Dpath=" + dir);
        try (LineClient c = LineClient.imap("admin")) {
            assertEquals("P0 NO [CANNOT] No partition nosuch on this backend", command(c, "P0", "CREATE user.bob.nopart nosuch"));
            assertEquals("P1 OK Completed", command(c, "P1", "CREATE user.bob.itpart itpart"));
            assertEquals("P2 OK Completed", command(c, "P2", "CREATE user.bob.itpart.child"));
            c.send("P3 APPEND user.bob.itpart.child {11+}\r\nSubject: p");
            assertTrue(c.readUntil("P3 ").startsWith("P3 OK"));
            String record = String.join("\n", LineClient.mupdateFind("user.bob.itpart.child"));
            assertTrue(record.contains(server() + "!itpart"), "the master has the partition: " + record);
            try (Stream<Path> files = Files.walk(dir)) {
                assertEquals(1, files.filter(f -> f.toString().endsWith(".eml")).count(), "the message is in the partition");
            }
            assertEquals("P4 OK Completed", command(c, "P4", "DELETE user.bob.itpart.child"));
            assertEquals("P5 OK Completed", command(c, "P5", "DELETE user.bob.itpart"));
        } finally {
            cli("remove-partition.cli", "-Dpartition=itpart");
        }
    }

    /** In a mailbox someone else owns, \\Seen is per user (as Cyrus's seen db); the owner's stays on the message. */
    @Test
    void seenIsPerUserInAMailboxSharedByItsOwner() throws Exception {
        try (LineClient bob = LineClient.imap("bob"); LineClient alice = LineClient.imap("alice")) {
            command(bob, "B1", "CREATE INBOX.seenshare");
            assertEquals("B2 OK Completed", command(bob, "B2", "SETACL INBOX.seenshare alice lrswt"));
            bob.send("B3 APPEND INBOX.seenshare {11+}\r\nSubject: 1");
            bob.readUntil("B3 OK");
            bob.send("B4 APPEND INBOX.seenshare (\\Seen) {11+}\r\nSubject: 2");
            bob.readUntil("B4 OK");

            alice.send("A1 SELECT user.bob.seenshare");
            alice.readUntil("A1 OK");
            alice.send("A2 FETCH 1:2 FLAGS");
            assertEquals(List.of("* 1 FETCH (FLAGS ())", "* 2 FETCH (FLAGS ())", "A2 OK Completed"), alice.answer("A2"),
                    "bob's \\Seen is not alice's");
            alice.send("A3 STORE 1 +FLAGS (\\Seen \\Flagged)");
            assertEquals(List.of("* 1 FETCH (FLAGS (\\Flagged \\Seen))", "A3 OK Completed"), alice.answer("A3"));
            alice.send("A4 STORE 2 FLAGS (\\Answered)");
            assertEquals(List.of("* 2 FETCH (FLAGS (\\Answered))", "A4 OK Completed"), alice.answer("A4"));
            alice.send("A5 SEARCH UNSEEN");
            assertEquals(List.of("* SEARCH 2", "A5 OK Completed"), alice.answer("A5"));
            alice.send("A6 STATUS user.bob.seenshare (UNSEEN)");
            assertEquals("* STATUS user.bob.seenshare (UNSEEN 1)", alice.answer("A6").get(0));
            alice.send("A7 STORE 2 (UNCHANGEDSINCE 1) +FLAGS (\\Seen)");
            assertEquals(List.of("A7 OK [MODIFIED 2] Conditional STORE failed for some messages"), alice.answer("A7"),
                    "the message's MODSEQ guards a per-user \\Seen too");
            long modseq;
            try (LineClient alice2 = LineClient.imap("alice")) {
                alice2.send("Q1 SELECT user.bob.seenshare");
                alice2.readUntil("Q1 OK");
                alice.send("A8 STORE 2 +FLAGS.SILENT (\\Seen)");
                List<String> silent = alice.answer("A8"); // A7 turned CONDSTORE on: .SILENT still reports UID and MODSEQ
                assertTrue(silent.size() == 2 && silent.get(0).startsWith("* 2 FETCH (UID 2 MODSEQ ("), silent.toString());
                modseq = Long.parseLong(silent.get(0).replaceAll(".*MODSEQ \\((\\d+)\\).*", "$1"));
                alice2.send("Q2 NOOP");
                assertEquals(List.of("* 2 FETCH (FLAGS (\\Answered \\Seen))", "Q2 OK Completed"), alice2.answer("Q2"),
                        "her other session learns her \\Seen");
            }
            alice.send("A9 STORE 2 -FLAGS.SILENT (\\Seen)");
            alice.answer("A9");
            alice.send("A10 FETCH 1:2 (FLAGS) (CHANGEDSINCE " + modseq + ")");
            List<String> changed = alice.answer("A10");
            assertTrue(changed.size() == 2 && changed.get(0).matches("\\* 2 FETCH \\(UID 2 FLAGS \\(\\\\Answered\\) MODSEQ \\(\\d+\\)\\)"),
                    "a per-user \\Seen change moves the message's MODSEQ, so CHANGEDSINCE finds it: " + changed);

            bob.send("B5 EXAMINE INBOX.seenshare");
            bob.readUntil("B5 OK");
            bob.send("B6 FETCH 1:2 FLAGS");
            assertEquals(List.of("* 1 FETCH (FLAGS (\\Flagged))", "* 2 FETCH (FLAGS (\\Answered \\Seen))", "B6 OK Completed"),
                    bob.answer("B6"), "alice's \\Seen is hers; \\Flagged and \\Answered are shared; bob's \\Seen survives her FLAGS");
            command(bob, "B7", "DELETE INBOX.seenshare");
        }
    }
}
