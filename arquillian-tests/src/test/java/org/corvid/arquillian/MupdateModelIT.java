package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Model-based test of the MUPDATE master: a long random sequence of RESERVE / ACTIVATE / DEACTIVATE / DELETE /
 * FIND, spread over three writer connections, on a few names and locations so that every conflict happens,
 * each reply checked against a small in-memory model of RFC 3656 (Cyrus semantics). A fourth connection
 * streams UPDATE for the test's hosts throughout; at the end LIST, the stream and the model must agree.
 * The seed is in every failure message; rerun one with {@code -Dcorvid.model.seed=N}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MupdateModelIT {
    private static final int STEPS = Integer.getInteger("corvid.model.steps", 1500);
    private static final String[] HOSTS = {"mm1", "mm2", "mm3"};

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    /** What the master should hold for a name. */
    private record Entry(String location, String acl, boolean active) {
    }

    /** A parsed record from FIND / LIST / UPDATE. */
    private record Wire(String kind, String name, String location, String acl) {
    }

    /** Reads records tagged {@code tag} until the tagged OK; returns them. */
    private static List<Wire> records(LineClient c, String tag, String okText) throws Exception {
        List<Wire> out = new ArrayList<>();
        while (true) {
            String line = c.read();
            if (line.equals(tag + " OK \"" + okText + "\"")) {
                return out;
            }
            out.add(parse(c, tag, line));
        }
    }

    private static Wire parse(LineClient c, String tag, String head) throws Exception {
        String[] h = head.split(" ");
        if (!h[0].equals(tag) || h.length != 3) {
            throw new AssertionError("unexpected line: " + head);
        }
        int nameLen = literal(h[2]);
        String l1 = c.read();
        String name = l1.substring(0, nameLen);
        if (h[1].equals("DELETE")) {
            return new Wire("DELETE", l1, null, null);
        }
        int locLen = literal(l1.substring(nameLen + 1));
        String l2 = c.read();
        if (h[1].equals("RESERVE")) {
            return new Wire("RESERVE", name, l2, "");
        }
        String location = l2.substring(0, locLen);
        literal(l2.substring(locLen + 1));
        return new Wire("MAILBOX", name, location, c.read());
    }

    private static int literal(String s) {
        if (!s.startsWith("{") || !s.endsWith("+}")) {
            throw new AssertionError("not a {n+} literal: " + s);
        }
        return Integer.parseInt(s.substring(1, s.length() - 2));
    }

    @Test
    void randomSequencesAgreeWithTheModel() throws Exception {
        long seed = Long.getLong("corvid.model.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String run = "user.model" + Long.toHexString(seed & 0xffffff) + ".";
        String[] names = new String[6];
        for (int i = 0; i < names.length; i++) {
            names[i] = run + "m" + i;
        }
        Map<String, Entry> model = new TreeMap<>();
        List<LineClient> writers = new ArrayList<>();
        try (LineClient stream = LineClient.mupdate(LineClient.FRONTEND)) {
            for (int i = 0; i < 3; i++) {
                writers.add(LineClient.mupdate(LineClient.MURDER));
            }
            stream.send("U1 UPDATE \"mm1\" \"mm2\" \"mm3\"");
            Map<String, Wire> streamed = new TreeMap<>();
            for (Wire w : records(stream, "U1", "streaming starts")) {
                streamed.put(w.name(), w);
            }
            for (int step = 0; step < STEPS; step++) {
                LineClient w = writers.get(rnd.nextInt(writers.size()));
                String name = names[rnd.nextInt(names.length)];
                String location = HOSTS[rnd.nextInt(HOSTS.length)] + "!p" + rnd.nextInt(2);
                String acl = rnd.nextBoolean() ? "" : "u" + rnd.nextInt(3) + "\tlrs\t";
                Entry e = model.get(name);
                String tag = "T" + step;
                String context = "seed " + seed + ", step " + step + ": ";
                switch (rnd.nextInt(5)) {
                    case 0 -> {
                        w.send(tag + " RESERVE \"" + name + "\" \"" + location + "\"");
                        String expected;
                        // an entry exists: only a reservation repeated at its own location is accepted
                        if (e != null && (e.active() || !e.location().equals(location))) {
                            expected = "NO \"mailbox already exists\"";
                        } else {
                            expected = "OK \"done\"";
                            model.put(name, new Entry(location, "", false));
                        }
                        assertEquals(tag + " " + expected, w.read(), context + "RESERVE " + name + " " + location);
                    }
                    case 1 -> {
                        w.send(tag + " ACTIVATE \"" + name + "\" \"" + location + "\" \"" + acl + "\"");
                        model.put(name, new Entry(location, acl, true));
                        assertEquals(tag + " OK \"done\"", w.read(), context + "ACTIVATE");
                    }
                    case 2 -> {
                        w.send(tag + " DEACTIVATE \"" + name + "\" \"" + location + "\"");
                        String expected;
                        if (e == null) {
                            expected = "NO \"mailbox doesn't exist\"";
                        } else if (!e.active()) {
                            expected = "NO \"mailbox not currently active\"";
                        } else {
                            expected = "OK \"done\"";
                            model.put(name, new Entry(location, "", false));
                        }
                        assertEquals(tag + " " + expected, w.read(), context + "DEACTIVATE " + name);
                    }
                    case 3 -> {
                        w.send(tag + " DELETE \"" + name + "\"");
                        String expected = e == null ? "NO \"mailbox doesn't exist\"" : "OK \"done\"";
                        model.remove(name);
                        assertEquals(tag + " " + expected, w.read(), context + "DELETE " + name);
                    }
                    default -> {
                        w.send(tag + " FIND \"" + name + "\"");
                        List<Wire> found = records(w, tag, "Search completed");
                        assertEquals(e == null ? List.of() : List.of(wire(name, e)), found, context + "FIND " + name);
                    }
                }
            }
            // the list, as LIST shows it
            LineClient w = writers.get(0);
            w.send("L1 LIST");
            Map<String, Wire> listed = new TreeMap<>();
            for (Wire rec : records(w, "L1", "list complete")) {
                if (rec.name().startsWith(run)) {
                    listed.put(rec.name(), rec);
                }
            }
            Map<String, Wire> expected = new TreeMap<>();
            model.forEach((n, e) -> expected.put(n, wire(n, e)));
            assertEquals(expected, listed, "seed " + seed + ": LIST differs from the model");

            // the stream, once the NOOP barrier has passed, replays to the same state
            stream.send("N1 NOOP");
            String line;
            while (!(line = stream.read()).equals("N1 OK \"Noop done\"")) {
                Wire rec = parse(stream, "U1", line);
                if (rec.kind().equals("DELETE")) {
                    streamed.remove(rec.name());
                } else {
                    streamed.put(rec.name(), rec);
                }
            }
            streamed.keySet().removeIf(n -> !n.startsWith(run));
            assertEquals(expected, streamed, "seed " + seed + ": the UPDATE stream differs from the model");
        } finally {
            for (LineClient w : writers) {
                w.close();
            }
        }
    }

    private static Wire wire(String name, Entry e) {
        return e.active() ? new Wire("MAILBOX", name, e.location(), e.acl()) : new Wire("RESERVE", name, e.location(), "");
    }
}
