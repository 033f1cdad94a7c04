package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Durability of LMTP's {@code 250}: a node of its own ({@link ExtraServer}, offset 9300, roles
 * {@code mupdate,backend,frontend}) takes 200 concurrent LMTP connections delivering in a loop, is killed with
 * {@code kill -9} in the middle, and started again on the same data. Every acknowledged message must be in the
 * mailbox exactly once with its body readable; a message that was in flight may be there (at most once) or not.
 */
class LmtpCrashIT {
    static final int OFFSET = 9300; // IMAP 10443, LMTP 11724, MUPDATE 13205: clear of the test server and the labs
    static final int CONNECTIONS = 200;
    private static final Pattern ID = Pattern.compile("(?i)^Message-ID: <(crash-\\d+-\\d+)@corvid\\.test>$");
    private static final Pattern BODY = Pattern.compile("^body of (crash-\\d+-\\d+)$");
    private static ExtraServer node;

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void everyAcknowledgedDeliverySurvivesKill9ExactlyOnce() throws Exception {
        node = ExtraServer.start("crash1", OFFSET, Map.of("CORVID_ROLES", "mupdate,backend,frontend"));
        LineClient.imap(node.port(1143), "alice").close(); // creates alice's INBOX

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch enough = new CountDownLatch(CONNECTIONS);
        ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
        for (int i = 0; i < CONNECTIONS; i++) {
            int connection = i;
            clients.submit(() -> deliverUntilKilled(connection, acknowledged, refused, enough));
        }
        assertTrue(enough.await(120, TimeUnit.SECONDS), "200 deliveries acknowledged before the kill");
        node.kill();
        clients.shutdown();
        assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "every client saw the connection die");
        assertEquals(0, refused.get(), "no delivery refused before the kill");
        int atKill = acknowledged.size();

        node.restart();
        Map<String, Integer> ids = new HashMap<>();
        Set<String> bodies = ConcurrentHashMap.newKeySet();
        int exists;
        try (LineClient c = LineClient.imap(node.port(1143), "alice")) {
            c.send("E1 EXAMINE INBOX");
            exists = c.answer("E1").stream().filter(l -> l.matches("\\* \\d+ EXISTS"))
                    .mapToInt(l -> Integer.parseInt(l.split(" ")[1])).findFirst().orElseThrow();
            c.timeout(60_000);
            c.send("F1 FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)] BODY.PEEK[TEXT])");
            for (String line : c.answer("F1")) {
                Matcher id = ID.matcher(line);
                if (id.matches()) {
                    ids.merge(id.group(1), 1, Integer::sum);
                }
                Matcher body = BODY.matcher(line);
                if (body.matches()) {
                    bodies.add(body.group(1));
                }
                if (line.startsWith("F1 ")) {
                    assertTrue(line.startsWith("F1 OK"), line);
                }
            }
        }
        System.out.printf("LmtpCrashIT: %d deliveries acknowledged when killed, %d messages after the restart%n",
                atKill, ids.size());
        List<String> lost = new ArrayList<>(acknowledged);
        lost.removeIf(ids::containsKey);
        assertEquals(List.of(), lost, "acknowledged (" + atKill + ") but missing after the restart");
        List<String> twice = ids.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        assertEquals(List.of(), twice, "delivered more than once");
        assertEquals(exists, ids.size(), "every message in the mailbox is one of ours, with its headers readable");
        assertEquals(ids.keySet(), bodies, "every message's body is readable from the spool");

        // and the store takes deliveries again
        try (LineClient l = new LineClient(node.port(2424))) {
            l.readUntil("220 ");
            l.send("LHLO crash.test\r\nMAIL FROM:<s@corvid.test>\r\nRCPT TO:<alice@corvid.test>\r\nDATA");
            l.readUntil("250 SIZE");
            assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read()));
            l.readUntil("354 ");
            l.send("Subject: after the crash\r\n\r\nhi\r\n.");
            assertEquals("250 2.1.5 Ok", l.read());
        }
    }

    /** Delivers message after message on one connection until the server dies. */
    private static void deliverUntilKilled(int connection, Set<String> acknowledged, AtomicInteger refused,
            CountDownLatch enough) {
        try (LineClient l = new LineClient(node.port(2424))) {
            l.timeout(60_000);
            l.readUntil("220 ");
            l.send("LHLO crash.test");
            l.readUntil("250 SIZE");
            for (int n = 0; ; n++) {
                String id = "crash-" + connection + "-" + n;
                l.send("MAIL FROM:<sender@corvid.test>\r\nRCPT TO:<alice@corvid.test>\r\nDATA");
                l.read();
                l.read();
                l.readUntil("354 ");
                l.send("Message-ID: <" + id + "@corvid.test>\r\nSubject: crash test\r\n\r\nbody of " + id + "\r\n.");
                String reply = l.read();
                if (reply.startsWith("250 ")) {
                    acknowledged.add(id);
                    enough.countDown();
                } else {
                    refused.incrementAndGet();
                }
            }
        } catch (IOException e) {
            // the kill: whatever was not acknowledged may or may not have landed
        }
    }
}
