package org.corvid.arquillian;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Another Corvid node beside the test server: the test server's WildFly installation started again with its
 * own base directory (configuration copied, data apart), a port offset and its own environment (roles, master);
 * the real EAR deployed through the deployment scanner. It can be killed ({@code kill -9}) and started again
 * on the same data.
 */
final class ExtraServer implements AutoCloseable {
    private final String name;
    private final int offset;
    private final Path base;
    private final Map<String, String> env;
    private Process process;

    private ExtraServer(String name, int offset, Path base, Map<String, String> env) {
        this.name = name;
        this.offset = offset;
        this.base = base;
        this.env = env;
    }

    /** A frontend that is a MUPDATE slave of {@code master}, logged in there as {@code user}. */
    static ExtraServer slave(String name, int offset, String master, String user, String password) throws Exception {
        return start(name, offset, Map.of("CORVID_ROLES", "frontend", "CORVID_MUPDATE_MASTER", master,
                "CORVID_MUPDATE_USER", user, "CORVID_MUPDATE_PASSWORD", password));
    }

    /**
     * Starts a node on fresh data with {@code env} added to its environment (e.g. {@code CORVID_ROLES}) and
     * waits until the EAR is deployed and its MUPDATE port (a backend: and IMAP, LMTP) answers.
     */
    static ExtraServer start(String name, int offset, Map<String, String> env) throws Exception {
        return start(name, offset, env, Map.of());
    }

    /** As {@link #start(String, int, Map)}, with {@code users} (name → password) added to its dev realm. */
    static ExtraServer start(String name, int offset, Map<String, String> env, Map<String, String> users) throws Exception {
        Path home = Path.of(System.getProperty("jboss.home")).toAbsolutePath();
        Path base = Path.of("target", name).toAbsolutePath();
        delete(base);
        copy(home.resolve("standalone/configuration"), base.resolve("configuration"));
        Path xml = base.resolve("configuration/standalone.xml");
        // own data; and not the master's deployment (its content is in the master's repository): the scanner deploys
        Files.writeString(xml, Files.readString(xml)
                .replace("${jboss.home.dir}/../test-data", base.resolve("data").toString())
                .replaceAll("(?s)<deployments>.*?</deployments>", ""));
        StringBuilder realm = new StringBuilder();
        users.forEach((user, password) -> realm.append('\n').append(user).append('=').append(password).append('\n'));
        Files.writeString(base.resolve("configuration/corvid-users.properties"), realm.toString(),
                java.nio.file.StandardOpenOption.APPEND);
        Files.createDirectories(base.resolve("deployments"));
        Files.copy(Path.of(System.getProperty("corvid.test.ear", "target/corvid.ear")), base.resolve("deployments/corvid.ear"));
        ExtraServer s = new ExtraServer(name, offset, base, env);
        s.launch();
        return s;
    }

    private void launch() throws Exception {
        Path home = Path.of(System.getProperty("jboss.home")).toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/standalone.sh").toString(),
                "-Djboss.server.base.dir=" + base, "-Djboss.socket.binding.port-offset=" + offset,
                "-Djboss.node.name=" + name, "-Djboss.tx.node.id=" + name,
                // its own JGroups multicast group: the provisioned layers (ejb-dist-cache, web-clustering) would
                // otherwise make it join the test server's cluster
                "-Djboss.default.multicast.address=230.0.0." + (10 + offset % 200))
                .redirectErrorStream(true).redirectOutput(base.resolve("console.log").toFile());
        pb.environment().put("JAVA_OPTS", "-Xmx512m -Djava.net.preferIPv4Stack=true");
        pb.environment().putAll(env);
        process = pb.start();
        awaitDeployed(180);
    }

    /** The number of threads of the server's JVM (Linux: {@code /proc/<pid>/status}). */
    int threads() throws Exception {
        long pid = process.descendants().filter(h -> h.info().command().orElse("").endsWith("java"))
                .mapToLong(ProcessHandle::pid).findFirst().orElseThrow();
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("Threads:"))
                .mapToInt(l -> Integer.parseInt(l.substring("Threads:".length()).trim())).findFirst().orElseThrow();
    }

    /** {@code kill -9} of the server and its launcher script: no shutdown hook, no flush. */
    void kill() throws Exception {
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : tree) {
            h.onExit().get(30, TimeUnit.SECONDS);
        }
    }

    /** Starts the node again on the data it had, and waits until it listens again. */
    void restart() throws Exception {
        launch();
    }

    private void awaitDeployed(int seconds) throws Exception {
        Path deployed = base.resolve("deployments/corvid.ear.deployed");
        Path failed = base.resolve("deployments/corvid.ear.failed");
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(failed) || !process.isAlive()) {
                String log = log();
                close();
                throw new IllegalStateException(name + " failed to deploy corvid.ear:\n" + log);
            }
            if (Files.exists(deployed) && listening()) {
                return;
            }
            Thread.sleep(250);
        }
        String log = log();
        close();
        throw new IllegalStateException(name + " not up after " + seconds + " s:\n" + log);
    }

    /** The MUPDATE port, and a backend's or frontend's IMAP, POP3 and LMTP ports, accept connections. */
    private boolean listening() {
        String roles = env.getOrDefault("CORVID_ROLES", "");
        boolean mail = roles.isEmpty() || roles.contains("backend") || roles.contains("frontend");
        return answers(port(3905)) && (!mail || answers(port(1143)) && answers(port(1110)) && answers(port(2424)));
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket(TestServer.HOST, port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A default port (1143, 3905, 8080, ...) shifted by this node's offset. */
    int port(int defaultPort) {
        return defaultPort + offset;
    }

    /** The end of the node's server log. */
    String log() throws IOException {
        Path log = base.resolve("log/server.log");
        if (!Files.exists(log)) {
            log = base.resolve("console.log");
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    }

    @Override
    public void close() throws Exception {
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            tree.forEach(ProcessHandle::destroyForcibly);
        }
        for (ProcessHandle h : tree) {
            h.onExit().get(30, TimeUnit.SECONDS);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(f -> {
                Path target = to.resolve(from.relativize(f).toString());
                try {
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
