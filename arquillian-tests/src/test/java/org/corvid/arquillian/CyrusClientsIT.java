package org.corvid.arquillian;

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
 * Cyrus's own client, {@code imtest} (Debian package cyrus-clients, installed by .ci/run), against the
 * deployed EAR: SASL PLAIN with an initial response, STARTTLS, the LOGIN command, a refused password.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CyrusClientsIT {
    private static final File IMTEST = new File("/usr/lib/cyrus/bin/imtest");

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
        List<String> cmd = new ArrayList<>(List.of(IMTEST.getPath(), "-p", String.valueOf(TestServer.IMAP)));
        cmd.addAll(List.of(args));
        cmd.add(TestServer.HOST);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(commands.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "imtest did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void plainWithInitialResponse() throws Exception {
        String out = imtest("x1 NAMESPACE\r\nx2 LOGOUT\r\n", "-a", "alice", "-w", "alice", "-m", "PLAIN");
        assertTrue(out.contains("C: A01 AUTHENTICATE PLAIN AGFsaWNlAGFsaWNl"), out);
        assertTrue(out.contains("S: A01 OK [CAPABILITY IMAP4rev1 LITERAL+ ID NAMESPACE] User logged in"), out);
        assertTrue(out.contains("Authenticated."), out);
        assertTrue(out.contains("* NAMESPACE ((\"INBOX.\" \".\")) ((\"user.\" \".\")) ((\"\" \".\"))"), out);
        assertTrue(out.contains("x2 OK Completed"), out);
    }

    @Test
    void startTlsThenPlain() throws Exception {
        String out = imtest("x1 CAPABILITY\r\nx2 LOGOUT\r\n", "-t", "", "-a", "bob", "-w", "bob", "-m", "PLAIN");
        assertTrue(out.contains("Authenticated."), out);
        assertTrue(out.matches("(?s).*Security strength factor: [1-9][0-9]*.*"), out);
        assertTrue(out.contains("* CAPABILITY IMAP4rev1 LITERAL+ ID NAMESPACE\r\n")
                || out.contains("* CAPABILITY IMAP4rev1 LITERAL+ ID NAMESPACE\n"), out);
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
}
