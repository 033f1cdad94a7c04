package org.corvid.jca.impl.mupdate;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.corvid.jca.api.mupdate.MupdateEntry;
import org.corvid.jca.api.mupdate.MupdateSubscriber;
import org.corvid.jca.api.mupdate.MupdateSubscription;
import org.jboss.logging.Logger;

/**
 * A streaming {@code UPDATE} from the master on a connection of its own, read by one long-running thread:
 * connect, log in, UPDATE, hand the full list and then every change to the subscriber. On any failure it
 * reconnects after 1 s, doubling to 30 s, and resyncs in full. An idle stream is probed with NOOP every
 * {@code corvid.mupdate.keepalive} seconds (default 30); no answer within the same time means a dead master.
 */
final class UpdateSubscription implements MupdateSubscription, Runnable {
    private static final Logger LOG = Logger.getLogger(UpdateSubscription.class);
    private static final String UPDATE_TAG = "U01";
    private static final long MAX_BACKOFF_MS = 30_000;

    private final MupdateManagedConnectionFactory factory;
    private final Set<String> hosts;
    private final MupdateSubscriber subscriber;
    private final Map<String, CompletableFuture<Boolean>> barriers = new ConcurrentHashMap<>();
    private final AtomicLong barrierTags = new AtomicLong();
    private final Object sendLock = new Object();
    private volatile MupdateClient client;
    private volatile boolean synced;
    private volatile boolean closed;

    UpdateSubscription(MupdateManagedConnectionFactory factory, Set<String> hosts, MupdateSubscriber subscriber) {
        this.factory = factory;
        this.hosts = Set.copyOf(hosts);
        this.subscriber = subscriber;
    }

    @Override
    public void run() {
        long backoff = 1000;
        while (!closed) {
            try {
                stream();
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    break;
                }
                boolean wasSynced = synced;
                synced = false;
                failBarriers();
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                LOG.warnf("[mupdate-client %s] UPDATE stream lost: %s; reconnecting in %d ms", factory.effectiveMaster(),
                        reason, backoff);
                subscriber.disconnected(reason);
                if (wasSynced) {
                    backoff = 1000;
                }
            } finally {
                MupdateClient c = client;
                client = null;
                if (c != null) {
                    c.abort();
                }
            }
            sleep(backoff);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
        LOG.debugf("[mupdate-client %s] UPDATE stream stopped", factory.effectiveMaster());
    }

    private void stream() throws IOException {
        int keepalive = (int) TimeUnit.SECONDS.toMillis(Integer.getInteger("corvid.mupdate.keepalive", 30));
        MupdateClient c = factory.open(keepalive);
        client = c;
        if (closed) {
            return;
        }
        subscriber.resyncStarted();
        StringBuilder update = new StringBuilder(UPDATE_TAG).append(" UPDATE");
        hosts.forEach(h -> update.append(' ').append(MupdateClient.literal(h)));
        send(update.toString());
        long entries = 0;
        long start = System.nanoTime();
        String probe = null;
        while (!closed) {
            MupdateResponse r;
            try {
                r = c.read();
            } catch (SocketTimeoutException idle) {
                if (probe != null || !synced) {
                    throw new IOException("no answer from the master for " + keepalive + " ms");
                }
                probe = "K" + barrierTags.incrementAndGet();
                send(probe + " NOOP");
                continue;
            }
            if (r.untagged()) {
                if ("BYE".equals(r.keyword())) {
                    throw new IOException("master said BYE " + r.text());
                }
            } else if (UPDATE_TAG.equals(r.tag())) {
                if (!r.completion()) {
                    entries++;
                    subscriber.entry(MupdateClient.entry(r));
                } else if ("OK".equals(r.keyword())) {
                    synced = true;
                    subscriber.resyncComplete();
                    LOG.infof("[mupdate-client %s] mailbox list synchronization complete: %d entries in %d ms",
                            c.master(), entries, (System.nanoTime() - start) / 1_000_000);
                } else {
                    throw new IOException("UPDATE refused: " + r.keyword() + " " + r.text());
                }
            } else if (r.tag().equals(probe)) {
                probe = null;
            } else {
                CompletableFuture<Boolean> barrier = barriers.remove(r.tag());
                if (barrier != null) {
                    barrier.complete("OK".equals(r.keyword()));
                }
            }
        }
    }

    private void send(String line) throws IOException {
        MupdateClient c = client;
        if (c == null) {
            throw new IOException("not connected");
        }
        synchronized (sendLock) {
            c.send(line);
        }
    }

    @Override
    public boolean barrier(Duration timeout) {
        if (!synced) {
            return false;
        }
        String tag = "N" + barrierTags.incrementAndGet();
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        barriers.put(tag, done);
        try {
            send(tag + " NOOP");
            return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException | ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            barriers.remove(tag);
        }
    }

    private void failBarriers() {
        barriers.values().forEach(b -> b.complete(false));
        barriers.clear();
    }

    @Override
    public boolean synced() {
        return synced;
    }

    @Override
    public String master() {
        return factory.effectiveMaster();
    }

    private synchronized void sleep(long millis) {
        long until = System.currentTimeMillis() + millis;
        long left;
        while (!closed && (left = until - System.currentTimeMillis()) > 0) {
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synced = false;
        synchronized (this) {
            notifyAll();
        }
        MupdateClient c = client;
        if (c != null) {
            try {
                send("Z LOGOUT");
            } catch (IOException ignored) {
                // closing anyway
            }
            c.abort();
        }
        failBarriers();
    }
}
