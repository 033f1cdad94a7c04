package org.corvid.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MUPDATE master benchmark (prints numbers; not a test). Loads N locations through the protocol (pipelined
 * ACTIVATE over one or more connections), then measures FIND latency, the LIST dump rate and the time a new
 * UPDATE subscriber needs to receive the whole list. Works against Corvid and against Cyrus's
 * {@code mupdate -m}, so both can be measured in one run on the same machine.
 * <pre>
 * java -cp bench/target/corvid-bench.jar org.corvid.bench.MupdateBench --port=3905 --entries=100000
 * </pre>
 * Options: --host=127.0.0.1 --port=3905 --user=murder --password=murder --entries=100000 --connections=4
 * --window=200 (ACTIVATEs in flight per connection) --finds=10000 --prefix=user.bench --label=corvid
 * --health-url= (Corvid: prints heap) --server-pid= (prints RSS).
 */
public final class MupdateBench {
    private final Map<String, String> opt;

    private MupdateBench(Map<String, String> opt) {
        this.opt = opt;
    }

    private String s(String k, String def) {
        return opt.getOrDefault(k, def);
    }

    private int i(String k, int def) {
        return Integer.parseInt(s(k, String.valueOf(def)));
    }

    public static void main(String[] args) throws Exception {
        new MupdateBench(BenchArgs.parse(args)).run();
    }

    /** One authenticated MUPDATE connection with a raw line reader. */
    private final class Conn implements AutoCloseable {
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;

        Conn() throws IOException {
            socket.connect(new InetSocketAddress(s("host", "127.0.0.1"), i("port", 3905)), 10_000);
            socket.setSoTimeout(120_000);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            out = socket.getOutputStream();
            String line;
            do {
                line = readLine();
            } while (!line.startsWith("* OK"));
            String plain = "\0" + s("user", "murder") + "\0" + s("password", "murder");
            // the initial response as a {n+} literal, as Cyrus clients send it (Cyrus's master refuses a quoted one)
            String ir = Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
            send("A01 AUTHENTICATE \"PLAIN\" {" + ir.length() + "+}\r\n" + ir);
            line = readLine();
            if (!line.startsWith("A01 OK")) {
                throw new IOException("authentication refused: " + line);
            }
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int limit;

        /** One line without CRLF; scans its own buffer (a byte-at-a-time read would cap the dump rates measured). */
        String readLine() throws IOException {
            byte[] line = null;
            int lineLength = 0;
            while (true) {
                if (pos == limit) {
                    limit = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        throw new IOException("connection closed");
                    }
                }
                int start = pos;
                while (pos < limit && buf[pos] != '\n') {
                    pos++;
                }
                int n = pos - start;
                if (line == null && pos < limit) {
                    pos++;
                    return new String(buf, start, n > 0 && buf[start + n - 1] == '\r' ? n - 1 : n, StandardCharsets.UTF_8);
                }
                if (line == null) {
                    line = new byte[Math.max(256, n * 2)];
                }
                if (lineLength + n > line.length) {
                    line = Arrays.copyOf(line, (lineLength + n) * 2);
                }
                System.arraycopy(buf, start, line, lineLength, n);
                lineLength += n;
                if (pos < limit) {
                    pos++;
                    return new String(line, 0, lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength,
                            StandardCharsets.UTF_8);
                }
            }
        }

        /** Reads a response to {@code tag} up to its OK; returns the number of records (MAILBOX/RESERVE). */
        long records(String tag) throws IOException {
            long records = 0;
            String okPrefix = tag + " OK";
            while (true) {
                String line = readLine();
                if (line.startsWith(okPrefix)) {
                    return records;
                }
                if (line.startsWith(tag + " MAILBOX")) {
                    records++;
                    readLine();
                    readLine();
                    readLine();
                } else if (line.startsWith(tag + " RESERVE")) {
                    records++;
                    readLine();
                    readLine();
                } else if (line.startsWith(tag + " NO") || line.startsWith(tag + " BAD")) {
                    throw new IOException(line);
                }
            }
        }

        @Override
        public void close() throws IOException {
            try {
                send("Q1 LOGOUT");
            } catch (IOException ignored) {
                // closing anyway
            }
            socket.close();
        }
    }

    private void run() throws Exception {
        String label = s("label", "server");
        // --load=false: no ACTIVATE or FIND, only LIST and UPDATE of what the server already holds
        boolean load = Boolean.parseBoolean(s("load", "true"));
        int entries = load ? i("entries", 100_000) : 0;
        int connections = i("connections", 4);
        int window = i("window", 200);
        String prefix = s("prefix", "user.bench") + Long.toHexString(System.nanoTime() & 0xfffff) + ".";
        System.out.printf("MUPDATE bench [%s] %s:%d entries=%d connections=%d window=%d prefix=%s%n", label,
                s("host", "127.0.0.1"), i("port", 3905), entries, connections, window, prefix);

        // 1. ACTIVATE, pipelined
        AtomicLong failures = new AtomicLong();
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int first = c * entries / connections;
            int last = (c + 1) * entries / connections;
            Thread t = new Thread(() -> {
                try (Conn conn = new Conn()) {
                    Semaphore inFlight = new Semaphore(window);
                    Thread reader = new Thread(() -> {
                        try {
                            for (int n = first; n < last; n++) {
                                if (!conn.readLine().contains(" OK ")) {
                                    failures.incrementAndGet();
                                }
                                inFlight.release();
                            }
                        } catch (IOException e) {
                            failures.incrementAndGet();
                        }
                    });
                    reader.start();
                    for (int n = first; n < last; n++) {
                        inFlight.acquire();
                        String name = prefix + String.format(Locale.ROOT, "%07d", n);
                        conn.send("X" + n + " ACTIVATE \"" + name + "\" \"bench" + (n % 4) + "!default\" \"b"
                                + n + "\tlrswipkxtecdan\t\"");
                    }
                    reader.join();
                } catch (Exception e) {
                    failures.incrementAndGet();
                    e.printStackTrace();
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failures.get() > 0) {
            System.out.println("ACTIVATE failed " + failures.get() + " times; no numbers");
            System.exit(1);
        }
        double activateSeconds = (System.nanoTime() - t0) / 1e9;
        double activatePerSecond = entries / activateSeconds;
        System.out.printf("ACTIVATE  %d in %.1f s = %.0f/s (durable: each answered OK after its commit), failures=%d%n",
                entries, activateSeconds, activatePerSecond, failures.get());

        try (Conn conn = new Conn()) {
            // 2. FIND latency
            int finds = load ? i("finds", 10_000) : 0;
            long[] lat = new long[finds];
            Random rnd = new Random(42);
            for (int f = 0; f < finds; f++) {
                String name = prefix + String.format(Locale.ROOT, "%07d", rnd.nextInt(entries));
                long a = System.nanoTime();
                conn.send("F" + f + " FIND \"" + name + "\"");
                if (conn.records("F" + f) != 1) {
                    failures.incrementAndGet();
                }
                lat[f] = System.nanoTime() - a;
            }
            Arrays.sort(lat);
            if (finds > 0) System.out.printf("FIND      p50=%.3f ms p99=%.3f ms max=%.3f ms (%d sequential lookups)%n",
                    lat[finds / 2] / 1e6, lat[(int) (finds * 0.99)] / 1e6, lat[finds - 1] / 1e6, finds);

            // 3. LIST dump
            long a = System.nanoTime();
            conn.send("L1 LIST");
            long listed = conn.records("L1");
            double listSeconds = (System.nanoTime() - a) / 1e9;
            System.out.printf("LIST      %d records in %.2f s = %.0f records/s%n", listed, listSeconds, listed / listSeconds);
        }

        // 4. a new UPDATE subscriber gets the whole list
        try (Conn conn = new Conn()) {
            long a = System.nanoTime();
            conn.send("U1 UPDATE");
            long streamed = conn.records("U1");
            double updateSeconds = (System.nanoTime() - a) / 1e9;
            System.out.printf("UPDATE    full list (%d records) to a new subscriber in %.2f s = %.0f records/s%n",
                    streamed, updateSeconds, streamed / updateSeconds);
        }
        String pid = s("server-pid", "");
        if (!pid.isEmpty()) {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", pid, "status"))) {
                if (l.startsWith("VmRSS") || l.startsWith("VmHWM")) {
                    System.out.println("server    " + l.replaceAll("\\s+", " "));
                }
            }
        }
        String health = s("health-url", "");
        if (!health.isEmpty()) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(health)).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println("health    " + r.body());
        }
        System.out.printf(Locale.ROOT, "RESULT label=%s entries=%d activate_per_s=%.0f failures=%d%n", label, entries,
                activatePerSecond, failures.get());
    }
}
