package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cyrus's own clients against the deployed EAR: {@code imtest} (Debian package cyrus-clients) with SASL PLAIN
 * and an initial response, STARTTLS, the LOGIN command, a refused password; {@code mupdatetest} (cyrus-murder)
 * authenticating to the MUPDATE master and reading LIST and FIND answers. .ci/run installs both packages.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CyrusClientsIT {
    private static final File IMTEST = new File("/usr/lib/cyrus/bin/imtest");
    private static final File MUPDATETEST = new File("/usr/lib/cyrus/bin/mupdatetest");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    @BeforeAll
    static void needsCyrusClients() {
        assumeTrue(IMTEST.canExecute(),
                "Cyrus imtest not installed (apt-get install cyrus-clients): skipping the Cyrus interoperability test");
    }

    /** Runs imtest with {@code args}, feeding {@code commands} after it authenticated; returns its output. */
    private static String imtest(String commands, String... args) throws Exception {
        return run(IMTEST, TestServer.IMAP, commands, args);
    }

    private static String run(File tool, int port, String commands, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool.getPath(), "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        cmd.add(TestServer.HOST);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(commands.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), tool.getName() + " did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Cyrus's admin shell creates a user, grants bob rights, sets and lists a quota, lists ACL and mailboxes, deletes the user. */
    @Test
    void cyradmCreatesAUserSetsAnAclAndDeletesIt() throws Exception {
        File cyradm = new File("/usr/bin/cyradm");
        assumeTrue(cyradm.canExecute(), "cyradm not installed (apt-get install cyrus-admin): skipping");
        Process p = new ProcessBuilder(cyradm.getPath(), "--user", "admin", "--password", "admin", "--auth", "PLAIN",
                "--port", String.valueOf(TestServer.IMAP), TestServer.HOST).redirectErrorStream(true).start();
        p.getOutputStream().write(String.join("\n", "cm user.cyradmit", "sam user.cyradmit bob lrs", "lam user.cyradmit",
                "sq user.cyradmit STORAGE 2000", "lq user.cyradmit", "lm user.cyradmit*", "dm user.cyradmit", "lm user.cyradmit*", "").getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cyradm did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(out.contains("cyradmit lrswipkxtecdan") && out.contains("bob lrs"), out);
        assertTrue(out.contains("user.cyradmit (\\HasNoChildren)"), out);
        assertTrue(out.contains("STORAGE 0/2000 (0%)"), "sq and lq: " + out);
        assertEquals(1, out.split("user.cyradmit \\(", -1).length - 1, "listed once, before dm: " + out);
    }

    @Test
    void plainWithInitialResponse() throws Exception {
        String out = imtest("x1 NAMESPACE\r\nx2 LOGOUT\r\n", "-a", "alice", "-w", "alice", "-m", "PLAIN");
        assertTrue(out.contains("C: A01 AUTHENTICATE PLAIN AGFsaWNlAGFsaWNl"), out);
        assertTrue(out.contains("S: A01 OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE NAMESPACE CHILDREN UNSELECT UIDPLUS MOVE IDLE ACL RIGHTS=kxten QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE QUOTA=RES-MAILBOX CONDSTORE LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE UNAUTHENTICATE METADATA MAILBOX-REFERRALS] User logged in"), out);
        assertTrue(out.contains("Authenticated."), out);
        assertTrue(out.contains("* NAMESPACE ((\"INBOX.\" \".\")) ((\"user.\" \".\")) ((\"\" \".\"))"), out);
        assertTrue(out.contains("x2 OK Completed"), out);
    }

    @Test
    void startTlsThenPlain() throws Exception {
        String out = imtest("x1 CAPABILITY\r\nx2 LOGOUT\r\n", "-t", "", "-a", "bob", "-w", "bob", "-m", "PLAIN");
        assertTrue(out.contains("Authenticated."), out);
        assertTrue(out.matches("(?s).*Security strength factor: [1-9][0-9]*.*"), out);
        assertTrue(out.contains("* CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE NAMESPACE CHILDREN UNSELECT UIDPLUS MOVE IDLE ACL RIGHTS=kxten QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE QUOTA=RES-MAILBOX CONDSTORE LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE UNAUTHENTICATE METADATA MAILBOX-REFERRALS\r\n")
                || out.contains("* CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE NAMESPACE CHILDREN UNSELECT UIDPLUS MOVE IDLE ACL RIGHTS=kxten QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE QUOTA=RES-MAILBOX CONDSTORE LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE UNAUTHENTICATE METADATA MAILBOX-REFERRALS\n"), out);
    }

    @Test
    void loginCommand() throws Exception {
        String out = imtest("x1 NOOP\r\nx2 LOGOUT\r\n", "-a", "alice", "-w", "alice", "-m", "login");
        assertTrue(out.contains("User logged in"), out);
        assertTrue(out.contains("x1 OK Completed"), out);
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        String out = imtest("x1 LOGOUT\r\n", "-a", "alice", "-w", "wrong", "-m", "PLAIN");
        assertTrue(out.contains("S: A01 NO [AUTHENTICATIONFAILED] Authentication failed"), out);
        assertTrue(out.contains("Authentication failed."), out);
    }

    @Test
    void mupdatetestReadsTheMastersList() throws Exception {
        assumeTrue(MUPDATETEST.canExecute(),
                "Cyrus mupdatetest not installed (apt-get install cyrus-murder): skipping");
        try (LineClient writer = LineClient.mupdate(LineClient.MURDER)) {
            writer.send("X1 ACTIVATE \"user.cyrusint\" \"cb1!default\" \"cyrusint\tlrswipkxtecdan\t\"");
            assertTrue(writer.read().startsWith("X1 OK"));
            writer.send("X2 RESERVE \"user.cyrusint2\" \"cb1!default\"");
            assertTrue(writer.read().startsWith("X2 OK"));

            String out = run(MUPDATETEST, TestServer.MUPDATE,
                    "L1 LIST \"cb1!\"\r\nF1 FIND \"user.cyrusint\"\r\nQ1 LOGOUT\r\n",
                    "-a", "frontend", "-w", "frontend", "-m", "PLAIN");
            assertTrue(out.contains("S: * OK MUPDATE"), out);
            assertTrue(out.contains("Authenticated."), out);
            assertTrue(out.contains("L1 MAILBOX {13+}\r\nuser.cyrusint {11+}\r\ncb1!default {24+}\r\ncyrusint\tlrswipkxtecdan\t\r\n")
                    || out.contains("L1 MAILBOX {13+}\nuser.cyrusint {11+}\ncb1!default {24+}\ncyrusint\tlrswipkxtecdan\t\n"), out);
            assertTrue(out.contains("L1 RESERVE {14+}"), out);
            assertTrue(out.contains("L1 OK \"list complete\""), out);
            assertTrue(out.contains("F1 MAILBOX {13+}"), out);
            assertTrue(out.contains("F1 OK \"Search completed\""), out);
            assertTrue(out.contains("Q1 OK \"bye-bye\""), out);
        }
    }
}
