package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    private static LineClient login(String user) throws Exception {
        LineClient c = new LineClient(TestServer.IMAP);
        c.readUntil("* OK");
        c.send("L1 LOGIN " + user + " " + user);
        c.readUntil("L1 OK");
        return c;
    }

    @Test
    void appendsExpungesAndDeliveriesArePushedWhileIdling() throws Exception {
        try (LineClient a = login("alice"); LineClient b = login("alice")) {
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
}
