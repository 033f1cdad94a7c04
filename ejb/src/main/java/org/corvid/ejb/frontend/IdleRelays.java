package org.corvid.ejb.frontend;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.corvid.jca.api.Connection;
import org.jboss.logging.Logger;

/**
 * What backends report to proxied clients while they IDLE, relayed by one selector thread for the whole node:
 * a client idling on a mailbox of another backend costs no thread (a thread per idling client would be
 * thousands on a frontend, as every mail app idles on its INBOX). While a session idles its backend socket is
 * non-blocking and registered here; the backend's untagged responses (literals included) go to the client as
 * they arrive, and the tagged completion that the client's DONE causes ends the watch and hands the socket
 * back, blocking again, to the session.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
public class IdleRelays {
    private static final Logger LOG = Logger.getLogger(IdleRelays.class);
    private static final int MAX_LINE = 1024 * 1024;
    private static final byte[] BYE = "* BYE ".getBytes(StandardCharsets.US_ASCII);

    /** How an IDLE ended: the completion's status, and what the backend sent after it (the session reads it next). */
    public record End(String status, byte[] leftover) {
    }

    @Resource
    private ManagedThreadFactory threads;

    private Selector selector;
    private final Queue<Watch> registrations = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    @PostConstruct
    void start() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the IDLE relay's selector", e);
        }
        Thread t = threads.newThread(this::loop);
        t.setName("corvid-idle-relay");
        t.start();
    }

    @PreDestroy
    void stop() {
        running = false;
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * Watches {@code channel} (whose IDLE the backend has just accepted with {@code +}) until the completion
     * of {@code backendTag}, relaying to {@code client}; {@code pending} is what was already read past the
     * continuation. The future completes with the completion's status once the socket blocks again.
     */
    public CompletableFuture<End> watch(SocketChannel channel, byte[] pending, String backendTag, String clientTag,
                                        Connection client) throws IOException {
        Watch w = new Watch(channel, backendTag, clientTag, client);
        if (w.consume(pending, pending.length)) { // a backend that ended the IDLE at once
            w.done.complete(new End(w.status, w.leftover));
            return w.done;
        }
        channel.configureBlocking(false);
        registrations.add(w);
        selector.wakeup();
        return w.done;
    }

    private void loop() {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        List<Watch> finished = new ArrayList<>();
        while (running) {
            try {
                // a bounded wait: a channel closed by its session (the client left while idling) is deregistered,
                // and so really closed, at the next select
                selector.select(1000);
                for (Watch w; (w = registrations.poll()) != null; ) {
                    try {
                        w.channel.register(selector, SelectionKey.OP_READ, w);
                    } catch (IOException | RuntimeException e) { // closed meanwhile: only this one fails
                        w.done.completeExceptionally(e);
                    }
                }
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    Watch w = (Watch) key.attachment();
                    buffer.clear();
                    try {
                        int n = w.channel.read(buffer);
                        if (n < 0) {
                            throw new IOException("connection closed by the backend during IDLE");
                        }
                        if (w.consume(buffer.array(), n)) {
                            key.cancel();
                            finished.add(w);
                        }
                    } catch (IOException | RuntimeException e) {
                        key.cancel();
                        w.done.completeExceptionally(e);
                    }
                }
                if (!finished.isEmpty()) { // the sockets leave the selector and block again before their sessions go on
                    selector.selectNow();
                    for (Watch w : finished) {
                        try {
                            w.channel.configureBlocking(true);
                            w.done.complete(new End(w.status, w.leftover));
                        } catch (IOException | RuntimeException e) {
                            w.done.completeExceptionally(e);
                        }
                    }
                    finished.clear();
                    if (!registrations.isEmpty()) {
                        selector.wakeup(); // selectNow used up a wakeup meant for them
                    }
                }
            } catch (ClosedSelectorException e) {
                return;
            } catch (Throwable e) { // the only relay thread: it logs and goes on, whatever happened
                LOG.errorf(e, "IDLE relay: unexpected failure, going on");
                try {
                    Thread.sleep(100);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** One idling session: a line parser over what its backend sends, literals passed through as they come. */
    private static final class Watch {
        final SocketChannel channel;
        final byte[] prefix;
        final String clientTag;
        final Connection client;
        final CompletableFuture<End> done = new CompletableFuture<>();
        final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        long literalLeft;
        String status;
        byte[] leftover = new byte[0];

        Watch(SocketChannel channel, String backendTag, String clientTag, Connection client) {
            this.channel = channel;
            this.prefix = (backendTag + " ").getBytes(StandardCharsets.US_ASCII);
            this.clientTag = clientTag;
            this.client = client;
        }

        /** Takes {@code n} bytes; true once the tagged completion went to the client (nothing follows it). */
        boolean consume(byte[] bytes, int n) throws IOException {
            int i = 0;
            while (i < n) {
                if (literalLeft > 0) {
                    int take = (int) Math.min(literalLeft, n - i);
                    client.writeRaw(Arrays.copyOfRange(bytes, i, i + take));
                    literalLeft -= take;
                    i += take;
                    continue;
                }
                int lf = i;
                while (lf < n && bytes[lf] != '\n') {
                    lf++;
                }
                if (line.size() + (lf - i) > MAX_LINE) {
                    throw new IOException("line from the backend longer than " + MAX_LINE + " bytes");
                }
                if (lf == n) {
                    line.write(bytes, i, n - i);
                    return false;
                }
                line.write(bytes, i, lf + 1 - i);
                i = lf + 1;
                byte[] complete = line.toByteArray();
                line.reset();
                if (ImapProxy.startsWith(complete, prefix)) {
                    String rest = new String(complete, prefix.length, complete.length - prefix.length, StandardCharsets.UTF_8)
                            .stripTrailing();
                    client.write(clientTag + " " + rest);
                    int space = rest.indexOf(' ');
                    status = space < 0 ? rest : rest.substring(0, space);
                    leftover = Arrays.copyOfRange(bytes, i, n); // e.g. an EXISTS right after the completion
                    return true;
                }
                if (ImapProxy.startsWith(complete, BYE)) {
                    continue; // the backend's session ends, not the client's: the read fails next
                }
                client.writeRaw(complete);
                literalLeft = Math.max(0, ImapProxy.literalSize(complete));
            }
            return false;
        }
    }
}
