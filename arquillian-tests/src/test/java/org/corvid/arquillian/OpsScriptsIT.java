package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operations scripts of {@code wildfly-config/src/main/cli/ops} and their restore pairs, each run as the docs
 * say (the set scripts with {@code --resolve-parameter-values}, the restore scripts without) by the provisioned
 * server's {@code jboss-cli.sh} against an embedded server in admin-only mode on a copy of its configuration;
 * the configuration is checked after each step. No Arquillian deployment: nothing runs.
 */
class OpsScriptsIT {
    private static final Path OPS = Path.of("../wildfly-config/src/main/cli/ops").toAbsolutePath();
    private Path base;
    private String original;

    @BeforeEach
    void freshConfiguration() throws Exception {
        base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "ops-base");
        Path home = Path.of(System.getProperty("jboss.home")).toAbsolutePath();
        try (var files = Files.walk(home.resolve("standalone/configuration"))) {
            for (Path f : files.toList()) {
                Path to = base.resolve("configuration").resolve(home.resolve("standalone/configuration").relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        original = xml();
    }

    private String xml() throws Exception {
        return Files.readString(base.resolve("configuration/standalone.xml"));
    }

    /** Runs {@code script} (its commands, between embed-server and stop-embedded-server) with {@code properties}. */
    private void run(String script, boolean resolve, String... properties) throws Exception {
        String commands = Files.readAllLines(OPS.resolve(script)).stream().filter(l -> !l.startsWith("#"))
                .collect(Collectors.joining("\n"));
        Path file = base.resolve(script);
        Files.writeString(file, "embed-server --admin-only=true --std-out=discard\n" + commands + "\nstop-embedded-server\n");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("jboss.home"), "bin/jboss-cli.sh").toString(),
                "--file=" + file));
        if (resolve) {
            cmd.add("--resolve-parameter-values");
        }
        cmd.addAll(List.of(properties));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_OPTS", "-Djboss.server.base.dir=" + base);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), script + " did not finish: " + out);
        assertEquals(0, p.exitValue(), script + ": " + out);
        assertFalse(out.contains("\"outcome\" => \"failed\""), script + ": " + out);
    }

    @Test
    void setRolesAndResetRoles() throws Exception {
        run("set-roles.cli", true, "-Droles=backend");
        assertTrue(xml().contains("<property name=\"corvid.roles\" value=\"backend\"/>"), xml());
        run("reset-roles.cli", false);
        assertEquals(original, xml());
    }

    @Test
    void setBackendsAndResetBackends() throws Exception {
        run("set-backends.cli", true, "-Dbackends=backend9=10.0.0.9:1143:2424:1110:8080,backend8=10.0.0.8");
        assertTrue(xml().contains("<property name=\"corvid.backends\" value=\"backend9=10.0.0.9:1143:2424:1110:8080,backend8=10.0.0.8\"/>"));
        run("reset-backends.cli", false);
        assertEquals(original, xml());
    }

    @Test
    void aTlsKeystoreAndBackToTheDevelopmentCertificate() throws Exception {
        run("use-tls-keystore.cli", true, "-Dkeystore=/etc/corvid/imap.p12", "-Dkeystore.password=secret");
        assertTrue(xml().contains("<property name=\"corvid.tls.keystore\" value=\"/etc/corvid/imap.p12\"/>"), xml());
        assertTrue(xml().contains("<property name=\"corvid.tls.keystore-password\" value=\"secret\"/>"));
        run("use-dev-tls.cli", false);
        assertEquals(original, xml());
    }

    @Test
    void postgresqlAndBackToH2() throws Exception {
        String driver = Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        run("use-postgresql.cli", true, "-Ddriver=" + driver, "-Dmupdate.url=jdbc:postgresql://db/corvid_mupdate",
                "-Dmailstore.url=jdbc:postgresql://db/corvid_backend1", "-Ddb.user=corvid", "-Ddb.password=secret");
        String pg = xml();
        assertTrue(pg.contains("<connection-url>jdbc:postgresql://db/corvid_mupdate</connection-url>"), pg);
        assertTrue(pg.contains("<connection-url>jdbc:postgresql://db/corvid_backend1</connection-url>"), pg);
        assertTrue(pg.contains("<driver>postgresql.jar</driver>"), pg);
        assertTrue(pg.contains("<deployment name=\"postgresql.jar\""), pg);
        assertTrue(pg.contains("<property name=\"corvid.mupdate.database\" value=\"PostgreSQL\"/>"), pg);
        run("use-h2.cli", false);
        String h2 = xml();
        assertFalse(h2.contains("postgresql"), h2);
        assertTrue(h2.contains("<connection-url>jdbc:h2:file:${corvid.data.dir}/db/mupdate;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;CACHE_SIZE=${corvid.mupdate.h2-cache-kb:131072}</connection-url>"), h2);
        assertTrue(h2.contains("<connection-url>jdbc:h2:file:${corvid.data.dir}/db/mailstore;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0</connection-url>"), h2);
    }
}
