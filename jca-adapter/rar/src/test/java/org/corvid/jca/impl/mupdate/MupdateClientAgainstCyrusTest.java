package org.corvid.jca.impl.mupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.corvid.jca.api.mupdate.MupdateConnection;
import org.corvid.jca.api.mupdate.MupdateConnectionFactory;
import org.corvid.jca.api.mupdate.MupdateEntry;
import org.corvid.jca.api.mupdate.MupdateReply;
import org.corvid.jca.api.mupdate.MupdateSubscriber;
import org.corvid.jca.api.mupdate.MupdateWrite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The outbound MUPDATE client (managed connection, handle, connection events, UPDATE subscription) against a
 * real Cyrus 3.6 {@code mupdate -m}, started by arquillian-tests/src/test/cyrus/cyrus-murder.sh on
 * 127.0.0.1:16905. The connection manager here is the smallest possible one (no pool): WildFly's pool is
 * exercised by the Arquillian tests. Needs root and the Cyrus packages (.ci/run installs them); skipped
 * with a message otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MupdateClientAgainstCyrusTest {
    private static final Path SCRIPT = Path.of("../../arquillian-tests/src/test/cyrus/cyrus-murder.sh").toAbsolutePath().normalize();
    private static final Path DIR = Path.of("target/cyrus-master").toAbsolutePath();
    private static boolean started;

    private final List<Integer> events = new CopyOnWriteArrayList<>();
    private final List<ManagedConnection> opened = new ArrayList<>();

    private static void sh(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), cmd + " did not finish");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void startCyrus() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "the Cyrus harness needs root (mount namespace): skipping the MUPDATE client test against Cyrus");
        assumeTrue(new File("/usr/sbin/cyrmaster").canExecute() && new File("/usr/lib/cyrus/bin/mupdate").canExecute(),
                "Cyrus not installed (apt-get install cyrus-imapd cyrus-murder sasl2-bin): skipping");
        sh("master", DIR.toString());
        started = true;
    }

    @AfterAll
    static void stopCyrus() throws Exception {
        if (started) {
            sh("down", DIR.toString());
        }
    }

    private MupdateManagedConnectionFactory mcf(String password) {
        MupdateManagedConnectionFactory mcf = new MupdateManagedConnectionFactory();
        mcf.setMaster("127.0.0.1:16905");
        mcf.setUser("murder");
        mcf.setPassword(password);
        return mcf;
    }

    /** Opens a managed connection per request and records its events. */
    private MupdateConnectionFactory factory(MupdateManagedConnectionFactory mcf) {
        ConnectionManager cm = new ConnectionManager() {
            @Override
            public Object allocateConnection(ManagedConnectionFactory f, ConnectionRequestInfo info) throws ResourceException {
                ManagedConnection mc = f.createManagedConnection(null, info);
                mc.addConnectionEventListener(new ConnectionEventListener() {
                    @Override
                    public void connectionClosed(ConnectionEvent e) {
                        events.add(e.getId());
                    }

                    @Override
                    public void connectionErrorOccurred(ConnectionEvent e) {
                        events.add(e.getId());
                    }

                    @Override
                    public void localTransactionStarted(ConnectionEvent e) {
                    }

                    @Override
                    public void localTransactionCommitted(ConnectionEvent e) {
                    }

                    @Override
                    public void localTransactionRolledback(ConnectionEvent e) {
                    }
                });
                opened.add(mc);
                return mc.getConnection(null, info);
            }
        };
        return (MupdateConnectionFactory) mcf.createConnectionFactory(cm);
    }

    private static MupdateReply ok() {
        return new MupdateReply(MupdateReply.Status.OK, "done");
    }

    @Test
    @Order(1)
    void everyCommandAsCyrusAnswersIt() throws Exception {
        MupdateConnectionFactory f = factory(mcf("secret"));
        try (MupdateConnection c = f.getConnection()) {
            assertEquals(ok(), c.reserve("user.t1", "b1!p1"));
            assertEquals(new MupdateReply(MupdateReply.Status.NO, "mailbox already exists"), c.reserve("user.t1", "b2!p1"));
            assertEquals(ok(), c.activate("user.t1", "b1!p1", "t1\tlrswipkxtecdan\t"));
            assertEquals(Optional.of(new MupdateEntry(MupdateEntry.Kind.MAILBOX, "user.t1", "b1!p1", "t1\tlrswipkxtecdan\t")),
                    c.find("user.t1"));
            assertEquals(ok(), c.deactivate("user.t1", "b2!p1"));
            assertEquals(Optional.of(new MupdateEntry(MupdateEntry.Kind.RESERVE, "user.t1", "b2!p1", "")), c.find("user.t1"));
            assertEquals(ok(), c.activate("user.t2", "b3!p1", "t2\tlr\t"));
            List<MupdateEntry> all = new ArrayList<>();
            c.list(null, all::add);
            assertEquals(List.of("user.t1", "user.t2"), all.stream().map(MupdateEntry::name).toList());
            List<MupdateEntry> onB3 = new ArrayList<>();
            c.list("b3", onB3::add);
            assertEquals(List.of(new MupdateEntry(MupdateEntry.Kind.MAILBOX, "user.t2", "b3!p1", "t2\tlr\t")), onB3);
            assertEquals(ok(), c.delete("user.t1"));
            assertEquals(Optional.empty(), c.find("user.t1"));
            assertEquals(new MupdateReply(MupdateReply.Status.OK, "Noop done"), c.noop());
        }
        assertEquals(List.of(ConnectionEvent.CONNECTION_CLOSED), events);
        assertFalse(((MupdateManagedConnection) opened.get(0)).unusable(), "a cleanly closed connection is reusable");
        opened.get(0).destroy();
    }

    @Test
    @Order(2)
    void writesPipelinedOverSeveralWindowsGetTheirRepliesInOrder() throws Exception {
        MupdateConnectionFactory f = factory(mcf("secret"));
        try (MupdateConnection c = f.getConnection()) {
            List<MupdateWrite> writes = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                writes.add(MupdateWrite.activate("user.pipe" + i, "b1!p1", "pipe" + i + "\tlr\t"));
            }
            writes.add(MupdateWrite.delete("user.pipe7")); // (not a name that does not exist: Cyrus 3.6's mupdate crashes)
            List<MupdateReply> replies = c.writeAll(writes);
            assertEquals(301, replies.size());
            assertTrue(replies.stream().allMatch(MupdateReply::ok), replies.toString());
            assertEquals(Optional.of(new MupdateEntry(MupdateEntry.Kind.MAILBOX, "user.pipe299", "b1!p1", "pipe299\tlr\t")),
                    c.find("user.pipe299"));
            assertEquals(Optional.empty(), c.find("user.pipe7"));
            List<MupdateWrite> cleanUp = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                if (i != 7) {
                    cleanUp.add(MupdateWrite.delete("user.pipe" + i));
                }
            }
            assertTrue(c.writeAll(cleanUp).stream().allMatch(MupdateReply::ok));
            assertEquals(new MupdateReply(MupdateReply.Status.OK, "Noop done"), c.noop()); // still in step
        }
    }

    @Test
    @Order(2)
    void aWrongPasswordIsASecurityException() {
        MupdateConnectionFactory f = factory(mcf("wrong"));
        assertThrows(jakarta.resource.spi.SecurityException.class, f::getConnection);
    }

    @Test
    @Order(3)
    void theSubscriptionSyncsStreamsAndResyncsAfterTheMasterRestarts() throws Exception {
        MupdateManagedConnectionFactory mcf = mcf("secret");
        List<String> seen = new CopyOnWriteArrayList<>();
        MupdateSubscriber recorder = new MupdateSubscriber() {
            @Override
            public void resyncStarted() {
                seen.add("resync");
            }

            @Override
            public void entry(MupdateEntry e) {
                seen.add(e.kind() + " " + e.name());
            }

            @Override
            public void resyncComplete() {
                seen.add("synced");
            }

            @Override
            public void disconnected(String reason) {
                seen.add("disconnected");
            }
        };
        UpdateSubscription s = new UpdateSubscription(mcf, Set.of(), recorder);
        Thread reader = new Thread(s, "test-update");
        reader.start();
        try {
            await(s::synced);
            assertEquals(List.of("resync", "MAILBOX user.t2", "synced"), seen);

            MupdateConnection c = factory(mcf).getConnection();
            assertEquals(ok(), c.activate("user.t3", "b1!p1", ""));
            assertTrue(s.barrier(Duration.ofSeconds(5)));
            assertEquals("MAILBOX user.t3", seen.get(seen.size() - 1), "the barrier returns after the change");

            sh("master-reset", DIR.toString()); // a new, empty Cyrus master: both connections break
            assertThrows(ResourceException.class, c::noop);
            assertEquals(ConnectionEvent.CONNECTION_ERROR_OCCURRED, events.get(events.size() - 1));
            assertTrue(mcf.getInvalidConnections(Set.of(opened.get(opened.size() - 1))).contains(opened.get(opened.size() - 1)));

            await(() -> seen.contains("disconnected") && s.synced());
            // one "disconnected" per failed attempt while Cyrus restarts, then one full resync
            assertEquals(List.of("disconnected", "resync", "synced"), seen.subList(seen.lastIndexOf("disconnected"), seen.size()));
            assertEquals(List.of("resync", "MAILBOX user.t2", "synced", "MAILBOX user.t3"), seen.subList(0, 4));
        } finally {
            s.close();
            reader.join(5000);
        }
        assertFalse(reader.isAlive(), "close() ends the subscription's thread");
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 300 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
        assertTrue(condition.getAsBoolean(), "not reached within 30 s");
    }
}
