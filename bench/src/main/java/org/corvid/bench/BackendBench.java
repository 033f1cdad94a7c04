package org.corvid.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Mail backend benchmark (prints numbers; not a test): the same workload against Corvid and a Cyrus 3.6 backend in
 * one run, then the ratios. Workloads, each for {@code --seconds}:
 * <ul>
 * <li>LMTP: {@code --lmtp-connections} (4) connections delivering 4 KiB messages to the user's INBOX;</li>
 * <li>IMAP sessions: {@code --clients} (20) clients each looping connect, LOGIN, SELECT INBOX.sessions (100
 * messages), FETCH 1:* FLAGS, LOGOUT;</li>
 * <li>APPEND: {@code --append-clients} (4) clients appending 4 KiB messages to INBOX.append, one at a time;</li>
 * <li>FETCH 1:* BODY.PEEK[] over INBOX.bench ({@code --messages}, 10,000 messages, filled once with pipelined
 * APPENDs), in MB/s, best of 3;</li>
 * <li>SEARCH latency on INBOX.bench: a header, a body and a flag criterion, median of 5 each;</li>
 * <li>CREATE: {@code --create-clients} (4) clients creating new mailboxes {@code INBOX.c<run>.<n>} one at a time
 * (left in place: with enough of them, LIST below measures a large list);</li>
 * <li>LIST "" "*" latency, median of 5, with the number of mailboxes it listed.</li>
 * </ul>
 * <pre>
 * java -cp bench/target/corvid-bench.jar org.corvid.bench.BackendBench \
 *   --corvid=127.0.0.1:1143:2424:alice:alice --cyrus=127.0.0.1:14311:14312:t01:secret:murder:secret
 * </pre>
 * A target is {@code host:imapPort:lmtpPort:user:password[:lmtpUser:lmtpPassword]} (LMTP AUTH PLAIN when given,
 * as Cyrus requires over TCP). A target that does not answer is skipped. {@code --workloads=lmtp,sessions,append,
 * fetch,search} picks some; {@code --seconds=10} per rate, after {@code --warmup-seconds=5} of the same load.
 */
public final class BackendBench {
    private static final int MESSAGE_BYTES = 4096;
    private final Map<String, String> opt;

    private BackendBench(Map<String, String> opt) {
        this.opt = opt;
    }

    private int i(String k, int def) {
        return Integer.parseInt(opt.getOrDefault(k, String.valueOf(def)));
    }

    public static void main(String[] args) throws Exception {
        new BackendBench(BenchArgs.parse(args)).run();
    }

    record Target(String label, String host, int imap, int lmtp, String user, String password, String lmtpUser,
                  String lmtpPassword) {
        static Target parse(String label, String spec) {
            String[] p = spec.split(":");
            return new Target(label, p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]), p[3], p[4],
                    p.length > 6 ? p[5] : null, p.length > 6 ? p[6] : null);
        }
    }

    private void run() throws Exception {
        Map<String, Map<String, Double>> results = new LinkedHashMap<>();
        for (String label : List.of("corvid", "cyrus")) {
            if (!opt.containsKey(label)) {
                continue;
            }
            Target t = Target.parse(label, opt.get(label));
            try (Wire probe = new Wire(t.host, t.imap)) {
                probe.readLine();
            } catch (IOException e) {
                System.out.printf("%s: %s:%d does not answer (%s), skipped%n", label, t.host, t.imap, e.getMessage());
                continue;
            }
            System.out.printf("== %s (IMAP %s:%d, LMTP %d, user %s)%n", label, t.host, t.imap, t.lmtp, t.user);
            results.put(label, measure(t));
        }
        System.out.println();
        System.out.printf("%-28s %12s %12s %8s%n", "metric", "corvid", "cyrus", "ratio");
        for (String metric : List.of("lmtp_per_s", "sessions_per_s", "append_per_s", "fetch_mb_per_s",
                "search_header_ms", "search_body_ms", "search_flag_ms", "create_per_s", "list_ms", "list_mailboxes")) {
            Double a = results.getOrDefault("corvid", Map.of()).get(metric);
            Double b = results.getOrDefault("cyrus", Map.of()).get(metric);
            // ratios > 1 mean Corvid is better: faster rates, shorter latencies
            String ratio = a == null || b == null ? "-" : String.format(Locale.ROOT, "%.2f",
                    metric.endsWith("_ms") ? b / a : a / b);
            System.out.printf(Locale.ROOT, "%-28s %12s %12s %8s%n", metric, fmt(a), fmt(b), ratio);
        }
        StringBuilder line = new StringBuilder("RESULT");
        results.forEach((label, m) -> m.forEach((k, v) -> line.append(' ').append(label).append('_').append(k)
                .append('=').append(fmt(v))));
        System.out.println(line);
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
    }

    private Map<String, Double> measure(Target t) throws Exception {
        Map<String, Double> m = new LinkedHashMap<>();
        int seconds = i("seconds", 10);
        try (Wire w = login(t)) {
            for (String box : List.of("INBOX.sessions", "INBOX.append", "INBOX.bench")) {
                w.command("CREATE " + box); // NO if it exists: fine
            }
            fill(w, "INBOX.sessions", i("session-messages", 100));
            fill(w, "INBOX.bench", i("messages", 10_000));
        }
        List<String> workloads = List.of(opt.getOrDefault("workloads", "lmtp,sessions,append,fetch,search").split(","));
        if (workloads.contains("lmtp")) {
            m.put("lmtp_per_s", rate(i("lmtp-connections", 4), seconds, () -> lmtpLoop(t)));
            System.out.printf("  LMTP 4 KiB deliveries/s: %.1f%n", m.get("lmtp_per_s"));
        }
        if (workloads.contains("sessions")) {
            m.put("sessions_per_s", rate(i("clients", 20), seconds, () -> sessionLoop(t)));
            System.out.printf("  IMAP sessions/s: %.1f%n", m.get("sessions_per_s"));
        }
        if (workloads.contains("append")) {
            m.put("append_per_s", rate(i("append-clients", 4), seconds, () -> appendLoop(t)));
            System.out.printf("  APPEND/s: %.1f%n", m.get("append_per_s"));
        }
        if (workloads.contains("create")) {
            String run = Long.toString(System.nanoTime() % 1_000_000, 36);
            m.put("create_per_s", rate(i("create-clients", 4), seconds, () -> createLoop(t, run)));
            System.out.printf("  CREATE/s: %.1f%n", m.get("create_per_s"));
        }
        try (Wire w = login(t)) {
            if (workloads.contains("list")) {
                double[] ms = new double[5];
                int listed = 0;
                for (int r = 0; r < ms.length; r++) {
                    long start = System.nanoTime();
                    listed = (int) w.command("LIST \"\" \"*\"").stream().filter(l -> l.startsWith("* LIST")).count();
                    ms[r] = (System.nanoTime() - start) / 1e6;
                }
                Arrays.sort(ms);
                m.put("list_ms", ms[ms.length / 2]);
                m.put("list_mailboxes", (double) listed);
                System.out.printf("  LIST \"\" \"*\" of %d mailboxes: %.1f ms (median of 5)%n", listed, ms[ms.length / 2]);
            }
            w.command("EXAMINE INBOX.bench");
            fetchAndSearch(w, m, workloads);
        }
        return m;
    }

    private void fetchAndSearch(Wire w, Map<String, Double> m, List<String> workloads) throws IOException {
        if (workloads.contains("fetch")) {
            double best = 0;
            for (int run = 0; run < 3; run++) {
                long start = System.nanoTime();
                long before = w.bytesRead;
                w.command("FETCH 1:* BODY.PEEK[]");
                double mb = (w.bytesRead - before) / 1e6;
                best = Math.max(best, mb / ((System.nanoTime() - start) / 1e9));
            }
            m.put("fetch_mb_per_s", best);
            System.out.printf("  FETCH 1:* BODY.PEEK[] on %d messages: %.1f MB/s%n", i("messages", 10_000), best);
        }
        if (workloads.contains("search")) {
            int n = i("messages", 10_000);
            m.put("search_header_ms", medianMs(w, "SEARCH SUBJECT \"bench message " + (n / 2) + "\""));
            m.put("search_body_ms", medianMs(w, "SEARCH BODY \"token-" + (n / 3) + "x\""));
            m.put("search_flag_ms", medianMs(w, "SEARCH UNSEEN FROM \"sender7@\""));
            System.out.printf("  SEARCH ms (median of 5): header %.1f, body %.1f, flag+from %.1f%n",
                    m.get("search_header_ms"), m.get("search_body_ms"), m.get("search_flag_ms"));
        }
    }

    private static double medianMs(Wire w, String search) throws IOException {
        double[] ms = new double[5];
        for (int r = 0; r < ms.length; r++) {
            long start = System.nanoTime();
            List<String> answer = w.command(search);
            ms[r] = (System.nanoTime() - start) / 1e6;
            if (answer.stream().noneMatch(l -> l.startsWith("* SEARCH"))) {
                throw new IOException(search + ": " + answer);
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    interface Loop {
        long run(long deadlineNanos) throws Exception;
    }

    interface LoopFactory {
        Loop create();
    }

    /**
     * Runs {@code workers} loops for {@code --warmup-seconds} (not counted: a JVM server is measured in its steady
     * state, as it runs for months), then for {@code seconds}; operations per second over all of them.
     */
    private double rate(int workers, int seconds, LoopFactory loops) throws Exception {
        if (i("warmup-seconds", 5) > 0) {
            measureRate(workers, i("warmup-seconds", 5), loops);
        }
        return measureRate(workers, seconds, loops);
    }

    private static double measureRate(int workers, int seconds, LoopFactory loops) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        long start = System.nanoTime();
        long deadline = start + seconds * 1_000_000_000L;
        List<Future<Long>> counts = new ArrayList<>();
        for (int k = 0; k < workers; k++) {
            Loop loop = loops.create();
            counts.add(pool.submit(() -> loop.run(deadline)));
        }
        long total = 0;
        for (Future<Long> f : counts) {
            total += f.get();
        }
        pool.shutdown();
        return total / ((System.nanoTime() - start) / 1e9);
    }

    private Loop lmtpLoop(Target t) {
        return deadline -> {
            long n = 0;
            try (Wire w = new Wire(t.host, t.lmtp)) {
                w.expect("220");
                w.send("LHLO bench.test");
                while (!w.readLine().startsWith("250 ")) {
                    // extensions
                }
                if (t.lmtpUser != null) {
                    w.send("AUTH PLAIN " + Base64.getEncoder().encodeToString(("\0" + t.lmtpUser + "\0"
                            + t.lmtpPassword).getBytes(StandardCharsets.UTF_8)));
                    w.expect("235");
                }
                byte[] message = message(0, "lmtp");
                while (System.nanoTime() < deadline) {
                    w.send("MAIL FROM:<sender@bench.test>\r\nRCPT TO:<" + t.user + "@bench.test>\r\nDATA");
                    w.expect("250");
                    w.expect("250");
                    w.expect("354");
                    w.out.write(message);
                    w.send(".");
                    w.expect("250");
                    n++;
                }
                w.send("QUIT");
            }
            return n;
        };
    }

    private Loop sessionLoop(Target t) {
        return deadline -> {
            long n = 0;
            while (System.nanoTime() < deadline) {
                try (Wire w = login(t)) {
                    w.command("SELECT INBOX.sessions");
                    w.command("FETCH 1:* FLAGS");
                    w.command("LOGOUT");
                }
                n++;
            }
            return n;
        };
    }

    private Loop appendLoop(Target t) {
        return deadline -> {
            long n = 0;
            try (Wire w = login(t)) {
                byte[] message = message(0, "append");
                while (System.nanoTime() < deadline) {
                    w.out.write(("a APPEND INBOX.append {" + message.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
                    w.out.write(message);
                    w.send("");
                    w.untilTagged("a");
                    n++;
                }
            }
            return n;
        };
    }

    private static final java.util.concurrent.atomic.AtomicLong CREATED = new java.util.concurrent.atomic.AtomicLong();

    private Loop createLoop(Target t, String run) {
        return deadline -> {
            long n = 0;
            try (Wire w = login(t)) {
                while (System.nanoTime() < deadline) {
                    List<String> answer = w.command("CREATE INBOX.c" + run + "." + CREATED.incrementAndGet());
                    if (!answer.get(answer.size() - 1).contains(" OK")) {
                        throw new IOException("CREATE: " + answer);
                    }
                    n++;
                }
            }
            return n;
        };
    }

    /** Appends messages 1..count to {@code mailbox} if it has fewer, pipelined with LITERAL+. */
    static void fill(Wire w, String mailbox, int count) throws IOException {
        List<String> status = w.command("STATUS " + mailbox + " (MESSAGES)");
        int have = status.stream().filter(l -> l.startsWith("* STATUS")).findFirst()
                .map(l -> Integer.parseInt(l.replaceAll(".*MESSAGES (\\d+).*", "$1"))).orElse(0);
        long start = System.nanoTime();
        int window = 50;
        int sent = have;
        int done = have;
        while (done < count) {
            while (sent < count && sent - done < window) {
                sent++;
                byte[] message = message(sent, "bench");
                w.out.write(("f" + sent + " APPEND " + mailbox + " {" + message.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
                w.out.write(message);
                w.out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            w.out.flush();
            done++;
            w.untilTagged("f" + done);
        }
        if (count > have) {
            System.out.printf("  filled %s with %d messages in %.1f s%n", mailbox, count - have,
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** A 4 KiB message with a numbered subject, one of 100 senders, and a unique body token. */
    static byte[] message(int n, String kind) {
        StringBuilder s = new StringBuilder()
                .append("From: sender").append(n % 100).append("@bench.test\r\n")
                .append("To: user@bench.test\r\n")
                .append("Subject: bench message ").append(n).append("\r\n")
                .append("Date: Mon, 23 Nov 2026 12:00:00 +0000\r\n")
                .append("Message-ID: <").append(kind).append('-').append(n).append('-').append(System.nanoTime())
                .append("@bench.test>\r\n\r\n")
                .append("token-").append(n).append("x\r\n");
        String filler = "The quick brown fox jumps over the lazy dog, again and again, for the benchmark.\r\n";
        while (s.length() + filler.length() <= MESSAGE_BYTES) {
            s.append(filler);
        }
        return s.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static Wire login(Target t) throws IOException {
        Wire w = new Wire(t.host, t.imap);
        w.expect("* OK");
        List<String> ok = w.command("LOGIN " + t.user + " " + t.password);
        if (!ok.get(ok.size() - 1).startsWith("t OK")) {
            w.close();
            throw new IOException("LOGIN refused: " + ok);
        }
        return w;
    }

    /** A blocking connection reading lines, with IMAP literals folded into their line. */
    static final class Wire implements AutoCloseable {
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;
        long bytesRead;

        Wire(String host, int port) throws IOException {
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(120_000);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void expect(String prefix) throws IOException {
            String line = readLine();
            if (!line.startsWith(prefix)) {
                throw new IOException("expected " + prefix + ", got " + line);
            }
        }

        /** Sends {@code t <command>} and returns every line up to the tagged answer (literals inline). */
        List<String> command(String command) throws IOException {
            send("t " + command);
            return untilTagged("t");
        }

        List<String> untilTagged(String tag) throws IOException {
            List<String> lines = new ArrayList<>();
            String line;
            do {
                line = readLine();
                lines.add(line);
            } while (!line.startsWith(tag + " "));
            if (line.startsWith(tag + " BAD")) {
                throw new IOException(line);
            }
            return lines;
        }

        String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                bytesRead++;
                if (b == '\n') {
                    String s = line.toString(StandardCharsets.ISO_8859_1);
                    if (s.endsWith("\r")) {
                        s = s.substring(0, s.length() - 1);
                    }
                    int open = s.lastIndexOf('{');
                    if (s.endsWith("}") && open >= 0 && s.substring(open + 1, s.length() - 1).matches("\\d+")) {
                        int size = Integer.parseInt(s.substring(open + 1, s.length() - 1));
                        byte[] literal = in.readNBytes(size);
                        bytesRead += literal.length;
                        line.reset();
                        line.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
                        line.write('~'); // literal contents are not needed as text
                        continue;
                    }
                    return s;
                }
                line.write(b);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
