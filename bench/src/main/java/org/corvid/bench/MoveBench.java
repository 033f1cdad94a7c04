package org.corvid.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live move benchmark (prints numbers; not a test): fills a user through a frontend ({@code --messages}, 50,000
 * 4 KiB messages spread over INBOX and {@code --folders} folders, 20), then moves the user to {@code --target}
 * with the REST API while {@code --readers} (20) IMAP clients read (SELECT a folder, FETCH FLAGS, NOOP) and one
 * LMTP client delivers, through the frontend. Reports the move's total time, its final phase (RESERVED at the
 * master), MB/s and messages/s, the deliveries refused and the readers' errors, and checks that every message
 * is there once afterwards.
 * <pre>
 * java -cp bench/target/corvid-bench.jar org.corvid.bench.MoveBench --imap=127.0.0.1:1643 --lmtp=127.0.0.1:2924 \
 *   --http=127.0.0.1:8580 --user=carol:carol --admin=admin:admin --target=backend2
 * </pre>
 * A frontend of {@code bin/corvid-murder up} (base offset 200) has these ports. Run it again to move the user back
 * (the fill is skipped when the folders hold enough).
 */
public final class MoveBench {
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"([^\"]*)\"|[-0-9]+|null)");

    private final Map<String, String> opt;
    private final String host;
    private final int imap;
    private final int lmtp;
    private final String http;
    private final String user;
    private final String password;
    private final String admin;

    private MoveBench(Map<String, String> opt) {
        this.opt = opt;
        String[] i = opt.getOrDefault("imap", "127.0.0.1:1643").split(":");
        host = i[0];
        imap = Integer.parseInt(i[1]);
        lmtp = Integer.parseInt(opt.getOrDefault("lmtp", "127.0.0.1:2924").split(":")[1]);
        http = "http://" + opt.getOrDefault("http", "127.0.0.1:8580");
        String[] u = opt.getOrDefault("user", "carol:carol").split(":");
        user = u[0];
        password = u[1];
        admin = opt.getOrDefault("admin", "admin:admin");
    }

    public static void main(String[] args) throws Exception {
        new MoveBench(BenchArgs.parse(args)).run();
    }

    private void run() throws Exception {
        int messages = Integer.parseInt(opt.getOrDefault("messages", "50000"));
        int folders = Integer.parseInt(opt.getOrDefault("folders", "20"));
        int readers = Integer.parseInt(opt.getOrDefault("readers", "20"));
        String target = opt.get("target");
        if (target == null) {
            System.err.println("--target=<backend> is required");
            System.exit(2);
        }
        List<String> boxes = new ArrayList<>(List.of("INBOX"));
        for (int f = 1; f <= folders; f++) {
            boxes.add("INBOX.f" + f);
        }
        try (BackendBench.Wire w = login()) {
            for (String box : boxes.subList(1, boxes.size())) {
                w.command("CREATE " + box); // NO [ALREADYEXISTS] on a second run
            }
            for (String box : boxes) {
                BackendBench.fill(w, box, messages / boxes.size());
            }
        }
        long before = count(boxes);
        System.out.printf("user %s: %d messages in %d mailboxes; moving to %s with %d readers and one LMTP client%n",
                user, before, boxes.size(), target, readers);

        Load load = new Load(readers, boxes);
        load.start();
        Thread.sleep(1000);
        long start = System.nanoTime();
        Map<String, String> job = fields(api("POST", "/api/moves", "{\"mailbox\":\"user." + user + "\",\"server\":\"" + target + "\"}"));
        String id = job.get("id");
        if (id == null) {
            load.stop();
            System.err.println("the move was refused: " + job);
            System.exit(1);
        }
        long switchedAt = 0;
        while (true) {
            job = fields(api("GET", "/api/moves/" + id, null));
            String state = job.getOrDefault("state", "?");
            if (switchedAt == 0 && (state.equals("SWITCHED") || state.equals("DONE"))) {
                switchedAt = System.nanoTime();
            }
            if (state.equals("DONE") || state.equals("FAILED")) {
                break;
            }
            Thread.sleep(250);
        }
        long end = System.nanoTime();
        Thread.sleep(1000);
        load.stop();
        long after = count(boxes);
        double seconds = (switchedAt - start) / 1e9;
        long bytes = Long.parseLong(job.getOrDefault("bytesCopied", "0"));
        long copied = Long.parseLong(job.getOrDefault("messagesCopied", "0"));
        System.out.printf("move %s %s: switched after %.1f s, done after %.1f s; final phase (RESERVED) %s ms%n", id,
                job.get("state"), seconds, (end - start) / 1e9, job.get("finalPhaseMillis"));
        System.out.printf("copied %d messages, %.1f MB: %.1f MB/s, %.0f messages/s%n", copied, bytes / 1e6,
                bytes / 1e6 / seconds, copied / seconds);
        System.out.printf("deliveries during the move: %d accepted, %d refused %s; max delivery latency %d ms%n",
                load.delivered.get(), load.refused.size(), load.refused.isEmpty() ? "" : load.refused.subList(0, Math.min(3, load.refused.size())),
                load.maxDeliveryMillis.get());
        System.out.printf("readers: %d commands, %d sessions ended by the server (then reconnected), %d NO/BAD answers %s, slowest command %d ms%n",
                load.commands.get(), load.reconnects.get(), load.errors.size(),
                load.errors.isEmpty() ? "" : load.errors.subList(0, Math.min(3, load.errors.size())), load.maxCommandMillis.get());
        System.out.printf("messages before %d + delivered %d = %d; after the move %d%n", before, load.delivered.get(),
                before + load.delivered.get(), after);
        System.out.printf("RESULT state=%s messages=%d total_s=%.1f final_phase_ms=%s mb_per_s=%.1f deliveries=%d "
                        + "refused=%d reader_errors=%d lost=%d%n", job.get("state"), copied, seconds, job.get("finalPhaseMillis"),
                bytes / 1e6 / seconds, load.delivered.get(), load.refused.size(), load.errors.size(),
                before + load.delivered.get() - after);
    }

    private BackendBench.Wire login() throws IOException {
        BackendBench.Wire w = new BackendBench.Wire(host, imap);
        w.expect("* OK");
        List<String> ok = w.command("LOGIN " + user + " " + password);
        if (!ok.get(ok.size() - 1).startsWith("t OK")) {
            throw new IOException("LOGIN refused: " + ok);
        }
        return w;
    }

    private long count(List<String> boxes) throws IOException {
        long n = 0;
        try (BackendBench.Wire w = login()) {
            for (String box : boxes) {
                for (String l : w.command("STATUS " + box + " (MESSAGES)")) {
                    if (l.startsWith("* STATUS")) {
                        n += Long.parseLong(l.replaceAll(".*MESSAGES (\\d+).*", "$1"));
                    }
                }
            }
        }
        return n;
    }

    private String api(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(admin.getBytes(StandardCharsets.UTF_8)));
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The flat fields of a JSON object (enough for a move's). */
    static Map<String, String> fields(String json) {
        Map<String, String> out = new java.util.HashMap<>();
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            out.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
        }
        return out;
    }

    /** The readers and the LMTP client running during the move. */
    private final class Load {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong commands = new AtomicLong();
        final AtomicLong reconnects = new AtomicLong();
        final AtomicLong maxDeliveryMillis = new AtomicLong();
        final AtomicLong maxCommandMillis = new AtomicLong();
        final List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();
        volatile boolean stopped;

        Load(int readers, List<String> boxes) {
            for (int r = 0; r < readers; r++) {
                threads.add(new Thread(() -> read(boxes)));
            }
            threads.add(new Thread(this::deliver));
        }

        void start() {
            threads.forEach(Thread::start);
        }

        void stop() throws InterruptedException {
            stopped = true;
            for (Thread t : threads) {
                t.join(60_000);
            }
        }

        private void read(List<String> boxes) {
            while (!stopped) {
                try (BackendBench.Wire w = login()) {
                    while (!stopped) {
                        String box = boxes.get(ThreadLocalRandom.current().nextInt(boxes.size()));
                        timed(w, "SELECT " + box);
                        timed(w, "FETCH 1:20 (FLAGS UID)");
                        timed(w, "NOOP");
                    }
                } catch (IOException e) {
                    reconnects.incrementAndGet(); // the server ended the session (its mailbox moved): reconnect
                }
            }
        }

        private void timed(BackendBench.Wire w, String command) throws IOException {
            long t = System.nanoTime();
            List<String> lines = w.command(command);
            maxCommandMillis.accumulateAndGet((System.nanoTime() - t) / 1_000_000, Math::max);
            commands.incrementAndGet();
            String last = lines.get(lines.size() - 1);
            if (!last.startsWith("t OK")) {
                errors.add(command + ": " + last);
            }
        }

        private void deliver() {
            try (BackendBench.Wire w = new BackendBench.Wire(host, lmtp)) {
                w.expect("220");
                w.send("LHLO bench.test");
                while (!w.readLine().startsWith("250 ")) {
                    // extensions
                }
                for (int n = 0; !stopped; n++) {
                    long t = System.nanoTime();
                    w.send("MAIL FROM:<sender@bench.test>\r\nRCPT TO:<" + user + "@bench.test>\r\nDATA");
                    w.expect("250");
                    String rcpt = w.readLine();
                    if (!rcpt.startsWith("250")) {
                        refused.add(rcpt);
                        w.readLine(); // DATA: 503
                        w.send("RSET");
                        w.readLine();
                        continue;
                    }
                    w.expect("354");
                    w.out.write(BackendBench.message(n, "during-move"));
                    w.send(".");
                    String reply = w.readLine();
                    if (reply.startsWith("250")) {
                        delivered.incrementAndGet();
                    } else {
                        refused.add(reply);
                    }
                    maxDeliveryMillis.accumulateAndGet((System.nanoTime() - t) / 1_000_000, Math::max);
                }
                w.send("QUIT");
            } catch (IOException e) {
                refused.add("LMTP connection failed: " + e.getMessage());
            }
        }
    }
}
