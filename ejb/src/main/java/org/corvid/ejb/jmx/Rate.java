package org.corvid.ejb.jmx;

import java.util.function.LongSupplier;

/**
 * A per-second rate of an ever-growing count over the last minute: {@link #sample()} (every 5 s) remembers
 * the count, the rate is the growth since the oldest remembered sample.
 */
public final class Rate {
    private static final int SAMPLES = 13; // 12 intervals of 5 s
    private final LongSupplier count;
    private final long[] counts = new long[SAMPLES];
    private final long[] times = new long[SAMPLES];
    private int next;
    private int filled;

    public Rate(LongSupplier count) {
        this.count = count;
    }

    public synchronized void sample() {
        counts[next] = count.getAsLong();
        times[next] = System.nanoTime();
        next = (next + 1) % SAMPLES;
        filled = Math.min(SAMPLES, filled + 1);
    }

    /** Per second, between the oldest sample of the last minute and now; 0 before the first sample. */
    public synchronized double perSecond() {
        if (filled == 0) {
            return 0;
        }
        int oldest = filled < SAMPLES ? 0 : next;
        double seconds = (System.nanoTime() - times[oldest]) / 1e9;
        return seconds <= 0 ? 0 : Math.max(0, count.getAsLong() - counts[oldest]) / seconds;
    }
}
