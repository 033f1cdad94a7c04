package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real MTA delivering to Corvid's LMTP: Debian's default MTA, Exim, run with a private configuration (its own
 * spool, an LMTP transport to the test server) so the system's mail setup is left alone. Postfix would do the
 * same, but installing it replaces the system's MTA. Skipped when {@code exim4} is not installed.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MtaDeliveryIT {
    private static final Path EXIM = Path.of("/usr/sbin/exim4");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    private static String config(Path dir) {
        return String.join("\n",
                "spool_directory = " + dir.resolve("spool"),
                "log_file_path = " + dir + "/%slog",
                "primary_hostname = mta.corvid.test",
                "exim_user = nobody",
                "exim_group = nogroup",
                "keep_environment =",
                "begin routers",
                "to_corvid:",
                "  driver = accept",
                "  transport = corvid_lmtp",
                "begin transports",
                "corvid_lmtp:",
                "  driver = smtp",
                "  protocol = lmtp",
                "  hosts = " + TestServer.HOST,
                "  port = " + TestServer.LMTP,
                "  hosts_override",
                "  allow_localhost",
                "begin retry",
                "* * F,1m,10s",
                "");
    }

    @Test
    void eximDeliversOneMessageToTwoUsersOverLmtp() throws Exception {
        assumeTrue(Files.isExecutable(EXIM), "exim4 not installed: skipping the MTA delivery test");
        LineClient.imap("alice").close(); // INBOXes exist from the first login
        LineClient.imap("bob").close();
        Path dir = Path.of("target/exim").toAbsolutePath();
        if (Files.isDirectory(dir)) { // no retry records or queue from an earlier run
            try (var old = Files.walk(dir)) {
                old.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
            }
        }
        Files.createDirectories(dir.resolve("spool"));
        dir.toFile().setWritable(true, false);
        dir.resolve("spool").toFile().setWritable(true, false);
        Files.writeString(dir.resolve("exim.conf"), config(dir));
        String subject = "through exim " + System.nanoTime();
        Process exim = new ProcessBuilder(EXIM.toString(), "-C", dir.resolve("exim.conf").toString(), "-odf", "-oi",
                "-f", "sender@example.org", "alice@example.org", "bob@example.org").redirectErrorStream(true).start();
        exim.getOutputStream().write(("Subject: " + subject + "\r\nFrom: sender@example.org\r\n\r\nhello from a real MTA\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        exim.getOutputStream().close();
        assertTrue(exim.waitFor(60, TimeUnit.SECONDS), "exim finished");
        String out = new String(exim.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, exim.exitValue(), out);
        // after dropping privilege for -C, the delivery process may log to stderr instead of the main log
        String log = out + (Files.exists(dir.resolve("mainlog")) ? Files.readString(dir.resolve("mainlog")) : "");
        assertTrue(!log.contains("defer") && !log.contains("**"), "no deferral, no bounce: " + log);
        assertTrue(LineClient.inboxSubjects(TestServer.IMAP, "alice").contains("Subject: " + subject), "in alice's INBOX: " + log);
        assertTrue(LineClient.inboxSubjects(TestServer.IMAP, "bob").contains("Subject: " + subject), "in bob's INBOX: " + log);
    }
}
