package org.corvid.ejb.frontend;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.corvid.ejb.jmx.Latencies;

/**
 * What this node's proxies do, per protocol ({@code imap}, {@code pop3}, {@code lmtp}) and backend server:
 * connections to it in use (the idle ones are the adapter's pool's), commands relayed (an LMTP transaction counts as one)
 * and how long each took until the backend's last answer line. Updated without locks on the proxy's path;
 * read by the {@code org.corvid:type=Traffic} MBeans and {@code /api/metrics}.
 */
public final class ProxyMetrics {
    private static final ConcurrentMap<String, Backend> BACKENDS = new ConcurrentHashMap<>();
    private static final ConcurrentMap<String, Latencies> PROTOCOLS = new ConcurrentHashMap<>();

    private ProxyMetrics() {
    }

    /** The figures of one protocol towards one backend. */
    public static final class Backend {
        private final String protocol;
        private final String server;
        private final AtomicInteger inUse = new AtomicInteger();
        private final LongAdder commands = new LongAdder();
        private final LongAdder nanos = new LongAdder();
        private final Latencies latencies = new Latencies();

        private Backend(String protocol, String server) {
            this.protocol = protocol;
            this.server = server;
        }

        public String protocol() { return protocol; }
        public String server() { return server; }
        public int inUse() { return inUse.get(); }
        public long commands() { return commands.sum(); }
        public Latencies latencies() { return latencies; }

        /** Mean latency since start, ms. */
        public double meanMillis() {
            long n = commands.sum();
            return n == 0 ? 0 : nanos.sum() / 1e6 / n;
        }

        void lent() { inUse.incrementAndGet(); }
        void returned() { inUse.decrementAndGet(); }

        void command(long startNanos) {
            long took = System.nanoTime() - startNanos;
            commands.increment();
            nanos.add(took);
            latencies.record(took);
            PROTOCOLS.computeIfAbsent(protocol, p -> new Latencies()).record(took);
        }
    }

    static Backend of(String protocol, String server) {
        return BACKENDS.computeIfAbsent(protocol + "\0" + server, k -> new Backend(protocol, server));
    }

    /** Every backend {@code protocol} has talked to, by server name. */
    public static List<Backend> backends(String protocol) {
        return BACKENDS.values().stream().filter(b -> b.protocol.equals(protocol))
                .sorted(Comparator.comparing(Backend::server)).toList();
    }

    /** The latencies of {@code protocol} towards all backends together. */
    public static Latencies latencies(String protocol) {
        return PROTOCOLS.computeIfAbsent(protocol, p -> new Latencies());
    }

    /** Starts a new minute in every latency window. */
    public static void rotate() {
        BACKENDS.values().forEach(b -> b.latencies.rotate());
        PROTOCOLS.values().forEach(Latencies::rotate);
    }
}
