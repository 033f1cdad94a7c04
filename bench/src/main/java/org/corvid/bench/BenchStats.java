package org.corvid.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency samples shared by all connections. Written from the event loop threads, read by the main
 * thread; everything here is thread-safe.
 */
final class BenchStats {

    /** Per-connection latencies in nanoseconds, indexed by connection id; 0 means "not reached". */
    final AtomicLongArray tcpConnectNanos;
    final AtomicLongArray greetingNanos;
    final AtomicLongArray loginNanos;

    final LongAdder greeted = new LongAdder();
    final LongAdder loggedIn = new LongAdder();
    final LongAdder failed = new LongAdder();
    /** Logged-in connections that the server closed (or that broke) while they were supposed to stay idle. */
    final LongAdder lostWhileIdle = new LongAdder();
    /** Untagged {@code * BYE} received on an idle connection. */
    final LongAdder byeWhileIdle = new LongAdder();
    final LongAdder logoutOk = new LongAdder();

    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final Map<String, String> failureExamples = new ConcurrentHashMap<>();

    /** Counted down once per connection attempt when it is logged in or has failed. */
    final CountDownLatch attemptsFinished;
    /** Limits the attempts in flight (connect .. login answered) to --ramp. */
    final Semaphore inFlight;

    BenchStats(int connections, int ramp) {
        tcpConnectNanos = new AtomicLongArray(connections);
        greetingNanos = new AtomicLongArray(connections);
        loginNanos = new AtomicLongArray(connections);
        attemptsFinished = new CountDownLatch(connections);
        inFlight = new Semaphore(ramp);
    }

    void recordFailure(String reason, String example) {
        failed.increment();
        failures.computeIfAbsent(reason, k -> new LongAdder()).increment();
        if (example != null) {
            failureExamples.putIfAbsent(reason, example);
        }
    }

    /** Failure counts by reason, sorted by reason. */
    Map<String, Long> failuresByReason() {
        Map<String, Long> out = new TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    String failureExample(String reason) {
        return failureExamples.get(reason);
    }

    /** Sorted non-zero samples (nanoseconds). */
    static long[] samples(AtomicLongArray values) {
        long[] out = new long[values.length()];
        int n = 0;
        for (int i = 0; i < values.length(); i++) {
            long v = values.get(i);
            if (v > 0) {
                out[n++] = v;
            }
        }
        long[] sorted = Arrays.copyOf(out, n);
        Arrays.sort(sorted);
        return sorted;
    }

    /** Nearest-rank percentile of sorted samples, in milliseconds; NaN when there are none. */
    static double percentileMs(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        int idx = Math.min(sorted.length - 1, Math.max(0, rank - 1));
        return sorted[idx] / 1_000_000.0;
    }

    static double maxMs(long[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1_000_000.0;
    }
}
