package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * IDLE (RFC 2177): a session idling on a mailbox is told of another session's APPEND and EXPUNGE and of an
 * LMTP delivery as they commit, and of nothing after DONE.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ImapIdleIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    @Test
    void appendsExpungesAndDeliveriesArePushedWhileIdling() throws Exception {
        try (LineClient a = LineClient.imap("alice"); LineClient b = LineClient.imap("alice")) {
            b.send("B0 CREATE INBOX.idle");
            b.readUntil("B0 ");
            a.send("A1 SELECT INBOX.idle");
            a.readUntil("A1 OK");
            a.send("A2 IDLE");
            assertEquals("+ idling", a.read());
            a.timeout(3000); // pushed as soon as the change commits

            b.send("B1 APPEND INBOX.idle {11+}\r\nSubject: 1");
            b.readUntil("B1 OK");
            assertEquals("* 1 EXISTS", a.read());

            try (LineClient l = new LineClient(TestServer.LMTP)) {
                l.readUntil("220 ");
                l.send("LHLO it\r\nMAIL FROM:<i@example.org>\r\nRCPT TO:<alice+idle@example.org>\r\nDATA");
                l.readUntil("354 ");
                l.send("Subject: 2\r\n\r\nvia lmtp\r\n.");
                assertEquals("250 2.1.5 Ok", l.read());
            }
            // alice+idle goes to INBOX unless anyone may post to INBOX.idle: nothing for this mailbox
            b.send("B2 SELECT INBOX.idle");
            b.readUntil("B2 OK");
            b.send("B3 STORE 1 +FLAGS.SILENT (\\Deleted)");
            b.readUntil("B3 OK");
            assertEquals("* 1 FETCH (FLAGS (\\Deleted))", a.read(), "another session's flag change is pushed");
            b.send("B4 EXPUNGE");
            b.readUntil("B4 OK");
            assertEquals("* 1 EXPUNGE", a.read());

            a.send("DONE");
            assertEquals("A2 OK IDLE terminated", a.read());
            b.send("B5 APPEND INBOX.idle {11+}\r\nSubject: 3");
            b.readUntil("B5 OK");
            a.send("A3 NOOP");
            assertEquals("* 1 EXISTS", a.read(), "after DONE, changes wait for the next command");
            assertEquals("A3 OK Completed", a.read());
        }
    }

    /** RFC 9051 7.5.2 / RFC 7162 3.2: another session's STORE reaches this one as FETCH FLAGS, once, with MODSEQ. */
    @Test
    void anotherSessionsFlagChangesAreReportedAtTheNextCommand() throws Exception {
        try (LineClient a = LineClient.imap("bob"); LineClient b = LineClient.imap("bob")) {
            b.send("B0 CREATE INBOX.flags");
            b.readUntil("B0 ");
            b.send("B1 APPEND INBOX.flags {11+}\r\nSubject: 1");
            b.readUntil("B1 OK");
            a.send("A1 SELECT INBOX.flags");
            a.readUntil("A1 OK");
            b.send("B2 SELECT INBOX.flags");
            b.readUntil("B2 OK");
            b.send("B3 STORE 1 +FLAGS (\\Flagged)");
            b.readUntil("B3 OK");
            a.send("A2 NOOP");
            assertEquals(List.of("* 1 FETCH (FLAGS (\\Flagged))", "A2 OK Completed"), a.answer("A2"));
            a.send("A3 NOOP");
            assertEquals(List.of("A3 OK Completed"), a.answer("A3"), "reported once");

            a.send("A4 ENABLE CONDSTORE");
            a.answer("A4");
            b.send("B4 STORE 1 -FLAGS (\\Flagged)");
            String stored = b.readUntil("* 1 FETCH");
            b.readUntil("B4 OK");
            a.send("A5 NOOP");
            List<String> lines = a.answer("A5");
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).matches("\\* 1 FETCH \\(UID \\d+ FLAGS \\(\\) MODSEQ \\(\\d+\\)\\)"), lines.get(0));
            assertTrue(stored.equals("* 1 FETCH (FLAGS ())"), "B did not enable CONDSTORE: " + stored);

            a.send("A6 STORE 1 +FLAGS (\\Seen)");
            a.answer("A6");
            a.send("A7 NOOP");
            assertEquals(List.of("A7 OK Completed"), a.answer("A7"), "a session is not told again of its own STORE");
            b.send("B5 DELETE INBOX.flags");
            b.readUntil("B5 ");
        }
    }
}
