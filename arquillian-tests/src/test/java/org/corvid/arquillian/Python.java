package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a Python 3 script (a real client: imaplib, poplib, smtplib) and returns what it printed. */
final class Python {
    private Python() {
    }

    /**
     * Runs {@code script} with {@code args} ({@code sys.argv[1:]}); skips the test with {@code what} in the message
     * if python3 is not installed, fails it if the script does not exit 0 within 60 s.
     */
    static String run(String what, String script, String... args) throws Exception {
        assumeTrue(new File("/usr/bin/python3").canExecute(), "python3 is not installed: skipping " + what);
        List<String> command = new ArrayList<>(List.of("python3", "-c", script));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
