package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * POP3 on the INBOX, with mail delivered over LMTP: the maildrop as of login, dot-stuffed RETR and TOP,
 * DELE/RSET, QUIT removing exactly the marked messages while an IMAP session keeps the INBOX selected; and
 * Python's {@code poplib} as an independent client.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class Pop3IT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    /** Logs the user in over IMAP once (INBOX autocreated) and empties the INBOX. */
    private static void emptyInbox(String user) throws Exception {
        try (LineClient c = LineClient.imap(user)) {
            c.send("S1 SELECT INBOX");
            c.readUntil("S1 OK");
            c.send("S2 STORE 1:* +FLAGS.SILENT (\\Deleted)");
            c.readUntil("S2 ");
            c.send("S3 EXPUNGE");
            c.readUntil("S3 OK");
        }
    }

    private static void deliver(String user, String message) throws Exception {
        try (LineClient l = new LineClient(TestServer.LMTP)) {
            l.readUntil("220 ");
            l.send("LHLO it\r\nMAIL FROM:<p@example.org>\r\nRCPT TO:<" + user + "@example.org>\r\nDATA");
            l.readUntil("250 SIZE");
            l.read();
            assertEquals("250 2.1.5 Ok", l.read());
            l.read();
            l.send(message + "\r\n.");
            assertEquals("250 2.1.5 Ok", l.read());
        }
    }

    private static List<String> until(LineClient c, String end) throws Exception {
        List<String> lines = new ArrayList<>();
        String line;
        while (!(line = c.read()).equals(end)) {
            lines.add(line);
        }
        return lines;
    }

    @Test
    void maildropRetrTopDeleAndQuitBesideAnImapSession() throws Exception {
        emptyInbox("bob");
        deliver("bob", "Subject: one\r\n\r\n..starts with a dot\r\nline 2\r\nline 3");
        deliver("bob", "Subject: two\r\n\r\nbody two");
        try (LineClient imap = new LineClient(TestServer.IMAP); LineClient p = new LineClient(TestServer.POP3)) {
            imap.readUntil("* OK");
            imap.send("I1 LOGIN bob bob");
            imap.readUntil("I1 OK");
            imap.send("I2 SELECT INBOX");
            assertEquals("* 2 EXISTS", imap.readUntil("* 2 EXISTS"));
            imap.readUntil("I2 OK");

            p.readUntil("+OK");
            p.send("USER bob\r\nPASS bob\r\nSTAT");
            assertEquals("+OK Name is a valid mailbox", p.read());
            assertEquals("+OK Maildrop ready, 2 messages", p.read());
            String stat = p.read();
            assertTrue(stat.startsWith("+OK 2 "), stat);
            p.send("LIST");
            assertEquals("+OK", p.read());
            assertEquals(2, until(p, ".").size());
            p.send("UIDL 2");
            assertTrue(p.read().matches("\\+OK 2 \\d+\\.\\d+"));
            p.send("TOP 1 1");
            assertTrue(p.read().startsWith("+OK "));
            List<String> top = until(p, ".");
            assertEquals(List.of("Subject: one", "", "..starts with a dot"), top.subList(top.size() - 3, top.size()));
            p.send("RETR 1");
            p.read();
            List<String> whole = until(p, ".");
            assertEquals(List.of("..starts with a dot", "line 2", "line 3"), whole.subList(whole.size() - 3, whole.size()));
            p.send("DELE 1\r\nDELE 1\r\nRETR 1\r\nRSET\r\nDELE 2\r\nSTAT\r\nRETR 9\r\nQUIT");
            assertEquals(List.of("+OK Message deleted", "-ERR No such message", "-ERR No such message", "+OK",
                    "+OK Message deleted"), List.of(p.read(), p.read(), p.read(), p.read(), p.read()));
            assertTrue(p.read().startsWith("+OK 1 "));
            assertEquals("-ERR No such message", p.read());
            assertEquals("+OK bye", p.read());

            imap.send("I3 NOOP");
            assertEquals(List.of("* 2 EXPUNGE", "I3 OK Completed"), List.of(imap.read(), imap.read()),
                    "the IMAP session sees exactly the message POP3 deleted go");
            imap.send("I4 FETCH 1 BODY.PEEK[HEADER]");
            imap.readUntil("Subject: one");
        }
    }

    @Test
    void pythonPoplibReadsAndDeletes() throws Exception {
        emptyInbox("alice");
        deliver("alice", "Subject: for poplib\r\n\r\nhello poplib");
        String script = String.join("\n",
                "import poplib, sys",
                "p = poplib.POP3(sys.argv[1], int(sys.argv[2]))",
                "p.user('alice'); p.pass_('alice')",
                "print('stat', p.stat()[0])",
                "resp, lines, octets = p.retr(1)",
                "print('body', lines[-1].decode())",
                "print('uidl', p.uidl(1).decode().split()[2].count('.'))",
                "p.dele(1); p.quit()",
                "p = poplib.POP3(sys.argv[1], int(sys.argv[2])); p.user('alice'); p.pass_('alice')",
                "print('after', p.stat()[0]); p.quit()");
        String out = Python.run("poplib", script, TestServer.HOST, String.valueOf(TestServer.POP3));
        assertEquals("stat 1\nbody hello poplib\nuidl 1\nafter 0\n", out);
    }
}
