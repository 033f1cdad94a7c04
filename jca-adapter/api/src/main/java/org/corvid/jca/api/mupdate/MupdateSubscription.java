package org.corvid.jca.api.mupdate;

import java.time.Duration;

/** A running UPDATE stream from the master (see {@link MupdateConnectionFactory#subscribe}). */
public interface MupdateSubscription extends AutoCloseable {
    /**
     * The freshness barrier: sends NOOP on the stream and waits for its answer, so every change the master
     * committed before this call has been given to the subscriber when it returns true. False if the stream is
     * not live (not synced yet, reconnecting) or the master did not answer within {@code timeout}.
     */
    boolean barrier(Duration timeout);

    /** True while the stream is connected and its full list has been received. */
    boolean synced();

    /** The master this stream reads from, {@code host:port}. */
    String master();

    /** Stops the stream (LOGOUT) and its reconnection. */
    @Override
    void close();
}
