package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one of the project's {@code bin/} scripts for a test, as a user would, and returns what it printed. */
final class Scripts {
    private Scripts() {
    }

    /**
     * {@code bin/<script> <args>} with the test server's installation and EAR and {@code env}; its output goes to
     * {@code log} (a hung script cannot block the read). Fails the test unless it ends with 0 within 400 s.
     */
    static String run(String script, Map<String, String> env, Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", Path.of("../bin", script).toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("CORVID_HOME", System.getProperty("jboss.home"));
        pb.environment().put("CORVID_EAR", Path.of(System.getProperty("corvid.test.ear", "target/corvid.ear")).toAbsolutePath().toString());
        pb.environment().putAll(env);
        Process p = pb.redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        boolean finished = p.waitFor(400, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        String what = script + " " + String.join(" ", args);
        assertTrue(finished, what + " did not finish:\n" + out);
        assertEquals(0, p.exitValue(), what + ":\n" + out);
        return out;
    }
}
