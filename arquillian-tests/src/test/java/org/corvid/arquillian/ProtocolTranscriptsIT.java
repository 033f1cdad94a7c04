package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.corvid.arquillian.transcript.Transcript;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Runs every transcript under src/test/resources/transcripts/<protocol>/ against the deployed EAR. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ProtocolTranscriptsIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    @Test
    void imap() throws Exception {
        runAll("imap", TestServer.IMAP);
    }

    @Test
    void imaps() throws Exception {
        runAll("imaps", TestServer.IMAPS);
    }

    @Test
    void lmtp() throws Exception {
        runAll("lmtp", TestServer.LMTP);
    }

    @Test
    void pop3() throws Exception {
        runAll("pop3", TestServer.POP3);
    }

    @Test
    void mupdate() throws Exception {
        runAll("mupdate", TestServer.MUPDATE);
    }

    private static void runAll(String protocol, int port) throws Exception {
        Path dir = Path.of("target/test-classes/transcripts", protocol);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no transcripts in " + dir);
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            try {
                Transcript.load(file).run(TestServer.HOST, port);
            } catch (AssertionError | Exception e) {
                failures.add(e.getMessage());
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + files.size() + " " + protocol
                + " transcripts failed:\n" + String.join("\n\n", failures));
    }
}
