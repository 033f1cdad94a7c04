package org.corvid.jca.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Future;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.LineRequest;
import org.corvid.jca.api.Protocol;
import org.corvid.jca.api.SessionState;
import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.impl.codec.SpoolFiles;
import org.corvid.jca.api.Value;
import org.corvid.jca.impl.codec.CodecLimits;
import org.corvid.jca.impl.codec.DecodeError;
import org.corvid.jca.impl.codec.MessageData;
import org.corvid.jca.impl.codec.RawLine;
import org.corvid.jca.impl.codec.SessionDecoder;
import org.jboss.logging.Logger;
import org.wildfly.security.auth.server.SecurityIdentity;

/**
 * One client connection: orders decoded commands, checks each against the protocol state, and hands it to
 * the bean through {@link Delivery}, one command at a time. Fields marked "event loop" are only touched on
 * the channel's event loop; the rest may be touched by the bean's thread. The command queue is also read by
 * the bean's thread, under its own lock: a command the client pipelined behind the one that just ran starts on
 * the same thread, without two hand-offs through the event loop (see {@link #takeNext}).
 */
final class Session extends ChannelInboundHandlerAdapter implements Connection, CodecLimits {
    static final String TLS_HANDLER = "tls";
    static final String DECODER = "decoder";
    private static final Logger LOG = Logger.getLogger(Session.class);
    /** Decoded commands queued beyond this stop reading from the socket until the queue drains. */
    private static final int MAX_QUEUED = 32;
    /** Deferred answers a connection may have outstanding before its next command waits. */
    static final int MAX_DEFERRED = 128;
    private static final long WRITABLE_WAIT_MS = 60_000;
    private static final Object CONNECTED = new Object();
    private static final int PENDING_FLUSH_BYTES = 32 * 1024;
    private static final long MAX_PUSH_BACKLOG = 16L * 1024 * 1024;
    /** Pipelined commands one dispatch thread runs in a row before giving the event loop its turn. */
    private static final int MAX_CHAINED = 32;

    private final String id;
    private final ProtocolListener listener;
    private final Channel channel;
    private final Dialect dialect;

    private final ArrayDeque<Object> queue = new ArrayDeque<>(); // guarded by itself
    private boolean busy;                                        // event loop
    /** Written on the event loop; read by a chaining dispatch thread only when no continuation is pending. */
    private Object awaitingContinuation;

    private volatile SessionState state = SessionState.NOT_AUTHENTICATED;
    private volatile String user;
    private volatile SecurityIdentity identity;
    private volatile boolean secure;
    private volatile boolean delivering;
    private volatile boolean closeRequested;
    private volatile boolean tlsRequested;
    private volatile Object current;
    /** Set by a command that left work for the event loop (continuation, TLS, relay, close...): no chaining. */
    private volatile boolean needsEventLoop;
    private volatile Future<?> pendingWrite;
    /**
     * Output while a command runs: everything written (by the command, or pushed by other threads) is appended
     * to {@link #pendingOut} in order, handed to Netty every 32 KiB and when the command ends, so a push can
     * never overtake or split the command's replies. Without a command, pushes go out at once. Guarded by
     * {@link #outLock}.
     */
    private final Object outLock = new Object();
    private volatile Thread deliveryThread;
    private ByteBuf pendingOut;
    /**
     * Deferred answers not yet written, oldest first, each with what was written after it (guarded by
     * {@link #outLock}); while any is outstanding every write goes behind the newest.
     */
    private final java.util.ArrayDeque<Deferred> deferred = new java.util.ArrayDeque<>();
    private volatile boolean closeWhenAnswered;
    private volatile InetSocketAddress relayedTo;
    private final java.util.List<String> afterTls = new java.util.ArrayList<>(); // written after startTls()

    Session(String id, ProtocolListener listener, Channel channel) {
        this.id = id;
        this.listener = listener;
        this.channel = channel;
        this.dialect = listener.dialect();
    }

    void markSecure() {
        secure = true;
    }

    // ---- Netty events (event loop) ----

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        LOG.debugf("[%s] connected from %s", id, channel.remoteAddress());
        int loginTimeout = listener.spec().getLoginTimeoutSeconds();
        if (loginTimeout > 0) {
            channel.eventLoop().schedule(() -> {
                if (user == null && relayedTo == null && channel.isActive() && !closeRequested) {
                    LOG.debugf("[%s] not authenticated after %d s, closing", id, loginTimeout);
                    writeAndClose(dialect.bye("Login timeout"));
                }
            }, loginTimeout, TimeUnit.SECONDS);
        }
        enqueue(CONNECTED);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        listener.closed();
        state = SessionState.LOGOUT;
        synchronized (queue) {
            queue.forEach(SpoolFiles::release);
            queue.clear();
        }
        for (Object value : attributes.values()) { // e.g. a proxy's connection to a backend
            if (value instanceof AutoCloseable resource) {
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.debugf("[%s] closing %s: %s", id, value, e.getMessage());
                }
            }
        }
        synchronized (this) {
            notifyAll();
        }
        LOG.debugf("[%s] closed", id);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        enqueue(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        synchronized (this) {
            notifyAll();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && !busy) {
            LOG.debugf("[%s] idle timeout", id);
            writeAndClose(dialect.bye("Autologout; idle for too long"));
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debugf(cause, "[%s] connection error, closing", id);
        ctx.close();
    }

    // ---- command queue (event loop) ----

    private void enqueue(Object item) {
        synchronized (queue) {
            queue.add(item);
            if (queue.size() > MAX_QUEUED) {
                channel.config().setAutoRead(false);
            }
        }
        drain();
    }

    private void drain() {
        while (!busy && channel.isActive() && !closeRequested) {
            Object item;
            synchronized (queue) {
                item = queue.isEmpty() || !mayStart(queue.peek()) ? null : queue.poll();
            }
            if (item == null) {
                break;
            }
            process(item);
        }
        int queued;
        synchronized (queue) {
            queued = queue.size();
        }
        if (queued <= MAX_QUEUED / 2 && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
        channel.flush();
    }

    private void process(Object item) {
        if (item == CONNECTED) {
            deliver(listener.commands().onConnect(), new Object[] {this}, null);
        } else if (item instanceof DecodeError e) {
            String tag = e.tag();
            if (awaitingContinuation != null) { // e.g. an over-long SASL response: the command ends here
                tag = awaitingContinuation instanceof TaggedRequest t ? t.tag() : null;
                awaitingContinuation = null;
            }
            write(dialect.error(tag, e.message(), e.tooBig()));
        } else if (item instanceof RawLine raw) {
            Object request = awaitingContinuation;
            awaitingContinuation = null;
            if (request instanceof TaggedRequest t) {
                dispatch(t.name(), t.tag(), t.with(new Value.Atom(raw.line())));
            } else if (request instanceof LineRequest l) {
                String args = l.arguments().isEmpty() ? raw.line() : l.arguments() + " " + raw.line();
                dispatch(l.name(), null, new LineRequest(l.name(), args));
            } else {
                write(dialect.error(null, "Unexpected continuation", false));
            }
        } else if (item instanceof MessageData m) {
            Object request = awaitingContinuation;
            awaitingContinuation = null;
            if (request instanceof LineRequest l) {
                dispatch(l.name(), null, new LineRequest(l.name(), l.arguments(), m.data(), m.tooBig(), m.file()));
            } else {
                SpoolFiles.release(m);
            }
        } else if (item instanceof TaggedRequest t) {
            dispatch(t.name(), t.tag(), t);
        } else if (item instanceof LineRequest l) {
            dispatch(l.name(), null, l);
        }
    }

    private void dispatch(String name, String tag, Object request) {
        CommandMap.Handler handler = listener.commands().handler(name);
        if (handler == null) {
            SpoolFiles.release(request);
            write(dialect.unknownCommand(tag, name));
        } else if (!handler.validIn(state)) {
            SpoolFiles.release(request);
            write(dialect.wrongState(tag, name, state, handler.states()));
        } else {
            deliver(handler.method(), new Object[] {request, this}, request);
        }
    }

    private void deliver(Method method, Object[] args, Object request) {
        busy = true;
        delivering = true;
        current = request;
        needsEventLoop = false;
        listener.commandDispatched();
        try {
            listener.delivery().execute(() -> runCommands(method, args, request));
        } catch (RejectedExecutionException e) {
            LOG.warnf("[%s] dispatch queue full, closing", id);
            delivering = false;
            SpoolFiles.release(request);
            writeAndClose(dialect.busy());
        }
    }

    /**
     * On a dispatch thread: runs the command, then each command the client has already pipelined behind it, as
     * long as {@link #takeNext} allows; their replies go out together. The event loop gets the session back after.
     */
    private void runCommands(Method method, Object[] args, Object request) {
        synchronized (outLock) {
            deliveryThread = Thread.currentThread();
        }
        Throwable failure;
        int ran = 0;
        while (true) {
            failure = listener.delivery().run(method, args, identity);
            Next next = failure == null && ++ran < MAX_CHAINED ? takeNext() : null;
            if (next == null) {
                break;
            }
            SpoolFiles.release(request);
            request = next.request();
            method = next.method();
            args = new Object[] {request, this};
            current = request;
            listener.commandDispatched();
        }
        synchronized (outLock) {
            writeOut(takePending());
            deliveryThread = null;
        }
        Object last = request;
        Throwable result = failure;
        channel.eventLoop().execute(() -> completed(last, result));
    }

    /**
     * On the dispatch thread, after a command succeeded: takes the next queued command if it can run right now,
     * exactly as the event loop would have started it; anything else (a continuation line, a message body, a
     * decode error, an unknown or wrong-state command, a command after TLS, a relay, a close) is left to it.
     * Returns the request and its method, or null.
     */
    private Next takeNext() {
        if (needsEventLoop || closeRequested || tlsRequested || state == SessionState.LOGOUT
                || !channel.isActive() || Thread.currentThread().isInterrupted()) { // interrupted: the pool stops
            return null;
        }
        synchronized (queue) {
            Object item = queue.peek();
            String name = item instanceof TaggedRequest t ? t.name() : item instanceof LineRequest l ? l.name() : null;
            CommandMap.Handler handler = name == null ? null : listener.commands().handler(name);
            if (handler == null || !handler.validIn(state) || !mayStart(item)) {
                return null;
            }
            queue.poll();
            return new Next(item, handler.method());
        }
    }

    private record Next(Object request, Method method) {
    }

    private void completed(Object request, Throwable failure) {
        delivering = false;
        current = null;
        SpoolFiles.release(request);
        if (failure != null) {
            String command = request instanceof TaggedRequest t ? t.name()
                    : request instanceof LineRequest l ? l.name() : "greeting";
            LOG.errorf(failure, "[%s] %s failed", id, command);
            if (request instanceof TaggedRequest t) {
                write(dialect.serverError(t.tag()));
            } else if (request instanceof LineRequest) {
                write(dialect.serverError(null));
            } else {
                writeAndClose(dialect.bye("Server unavailable"));
                return;
            }
        }
        channel.flush();
        if (tlsRequested) {
            flushAfterTls();
        }
        Future<?> later = pendingWrite;
        if (later != null && !later.isDone()) {
            later.addListener(f -> finish());
        } else {
            finish();
        }
    }

    private void finish() {
        pendingWrite = null;
        busy = false;
        if (closeRequested || state == SessionState.LOGOUT) {
            synchronized (outLock) {
                if (!deferred.isEmpty()) {
                    closeWhenAnswered = true; // LOGOUT after pipelined writes: their answers first
                    return;
                }
            }
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        drain();
    }

    /**
     * With deferred answers outstanding, only a pipelined command may start (and at most
     * {@link #MAX_DEFERRED} answers may be outstanding); anything else waits to see their effect.
     */
    private boolean mayStart(Object item) {
        int outstanding;
        synchronized (outLock) {
            outstanding = deferred.size();
        }
        if (outstanding == 0) {
            return true;
        }
        if (outstanding >= MAX_DEFERRED || awaitingContinuation != null || !(item instanceof TaggedRequest t)) {
            return false;
        }
        CommandMap.Handler handler = listener.commands().handler(t.name());
        return handler != null && handler.pipelined() && handler.validIn(state);
    }

    @Override
    public DeferredReply deferReply() {
        synchronized (outLock) {
            if (deferred.isEmpty()) {
                writeOut(takePending()); // what the command wrote before its deferred answer
            }
            Deferred d = new Deferred();
            deferred.addLast(d);
            return d;
        }
    }

    /** A deferred answer and the output queued behind it. */
    private final class Deferred implements DeferredReply {
        private String answer;
        private ByteBuf after;

        void append(byte[] bytes) { // caller holds outLock
            if (after == null) {
                after = Unpooled.buffer(256);
            }
            after.writeBytes(bytes);
        }

        @Override
        public void complete(String line) {
            boolean drained;
            synchronized (outLock) {
                if (answer != null) {
                    return;
                }
                answer = line;
                // write every answered head in order, each followed by what waited behind it
                while (!deferred.isEmpty() && deferred.peekFirst().answer != null) {
                    Deferred head = deferred.pollFirst();
                    ByteBuf out = Unpooled.copiedBuffer(head.answer + "\r\n", StandardCharsets.UTF_8);
                    channel.write(head.after == null ? out : Unpooled.wrappedBuffer(out, head.after));
                }
                channel.flush();
                drained = deferred.isEmpty();
            }
            if (drained && closeWhenAnswered) {
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            } else {
                channel.eventLoop().execute(Session.this::drainIfIdle); // room for the next command
            }
        }
    }

    private void drainIfIdle() {
        if (!busy) {
            drain();
        }
    }

    /** After the STARTTLS command: what it wrote after {@link #startTls()} goes out over TLS. */
    private void flushAfterTls() {
        tlsRequested = false;
        synchronized (afterTls) { // the SslHandler holds these until the handshake is done
            for (String line : afterTls) {
                channel.write(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8));
            }
            afterTls.clear();
        }
        channel.flush();
    }

    private void writeAndClose(String line) {
        closeRequested = true;
        channel.writeAndFlush(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8))
                .addListener(ChannelFutureListener.CLOSE);
    }

    // ---- Connection (any thread) ----

    @Override
    public String id() {
        return id;
    }

    @Override
    public Protocol protocol() {
        return listener.protocol();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public SessionState state() {
        return state;
    }

    @Override
    public void setState(SessionState state) {
        this.state = state;
    }

    private final java.util.Map<String, Object> attributes = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public java.util.Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public void authenticated(String user, SecurityIdentity identity) {
        this.user = user;
        this.identity = identity;
        this.state = SessionState.AUTHENTICATED;
    }

    @Override
    public void unauthenticated() {
        this.user = null;
        this.identity = null;
        this.state = SessionState.NOT_AUTHENTICATED;
        for (Object key : java.util.List.copyOf(attributes.keySet())) {
            if (attributes.remove(key) instanceof AutoCloseable resource) {
                try {
                    resource.close();
                } catch (Exception e) {
                    LOG.debugf("[%s] closing %s: %s", id, resource, e.getMessage());
                }
            }
        }
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public boolean isTlsAvailable() {
        return !secure && !tlsRequested && listener.sslContext() != null;
    }

    @Override
    public void write(String line) {
        if (tlsRequested && Thread.currentThread() == deliveryThread) {
            synchronized (afterTls) {
                afterTls.add(line);
            }
            return;
        }
        append((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void writeRaw(byte[] bytes) {
        append(bytes);
    }

    /** Output in order: behind a deferred answer, into the running command's batch, or out at once. */
    @Override
    public long pendingOutputBytes() {
        io.netty.channel.ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
        long n = queued == null ? 0 : queued.totalPendingWriteBytes();
        synchronized (outLock) {
            return n + (pendingOut == null ? 0 : pendingOut.readableBytes());
        }
    }

    private void append(byte[] bytes) {
        boolean ownCommand = Thread.currentThread() == deliveryThread;
        boolean wait = false;
        synchronized (outLock) {
            if (!deferred.isEmpty()) {
                deferred.peekLast().append(bytes); // behind an answer not yet known
                return;
            }
            if (deliveryThread == null) {
                push(bytes); // a push between commands (a streamed change, IDLE): out at once
                return;
            }
            if (pendingOut == null) {
                pendingOut = Unpooled.buffer(4096);
            }
            pendingOut.writeBytes(bytes);
            if (ownCommand && pendingOut.readableBytes() >= PENDING_FLUSH_BYTES) {
                writeOut(takePending());
                wait = !channel.isWritable();
            }
        }
        if (wait) {
            awaitWritable(); // only the command's own thread waits for a slow client, never a pusher
        }
    }

    /** Takes the batched output (caller holds {@link #outLock}). */
    private ByteBuf takePending() {
        ByteBuf out = pendingOut;
        pendingOut = null;
        return out;
    }

    /** Hands output to Netty (caller holds {@link #outLock}, which keeps writes in order). */
    private void writeOut(ByteBuf out) {
        if (out != null) {
            channel.writeAndFlush(out);
        }
    }

    /**
     * Writes a push without ever blocking the pushing thread; a client that lets more than
     * {@link #MAX_PUSH_BACKLOG} bytes pile up is disconnected instead (caller holds {@link #outLock}).
     */
    private void push(byte[] bytes) {
        var outbound = channel.unsafe().outboundBuffer();
        if (outbound != null && outbound.totalPendingWriteBytes() > MAX_PUSH_BACKLOG) {
            LOG.warnf("[%s] client does not read its pushed updates, closing", id);
            channel.close();
            return;
        }
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }

    /** Back-pressure for long outputs: the bean's thread waits while the client is slow to read. */
    private void awaitWritable() {
        channel.flush();
        long deadline = System.currentTimeMillis() + WRITABLE_WAIT_MS;
        synchronized (this) {
            while (!channel.isWritable() && channel.isActive()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    LOG.debugf("[%s] client not reading, closing", id);
                    channel.close();
                    return;
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void writeLater(String line, Duration delay) {
        needsEventLoop = true;
        flushOwnOutput();
        pendingWrite = channel.eventLoop().schedule(() -> {
            channel.writeAndFlush(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8));
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void continueWith(String continuationLine) {
        needsEventLoop = true;
        flushOwnOutput();
        Object request = current;
        channel.eventLoop().execute(() -> {
            awaitingContinuation = request;
            ((SessionDecoder) channel.pipeline().get(DECODER)).expectRawLine();
            channel.writeAndFlush(Unpooled.copiedBuffer(continuationLine + "\r\n", StandardCharsets.UTF_8));
        });
    }

    @Override
    public void receiveMessage(String reply, long maxBytes) {
        needsEventLoop = true;
        flushOwnOutput();
        Object request = current;
        channel.eventLoop().execute(() -> {
            awaitingContinuation = request;
            ((SessionDecoder) channel.pipeline().get(DECODER)).expectMessage(maxBytes);
            channel.writeAndFlush(Unpooled.copiedBuffer(reply + "\r\n", StandardCharsets.UTF_8));
        });
    }

    @Override
    public void relayTo(InetSocketAddress target, Duration connectTimeout) throws java.io.IOException {
        needsEventLoop = true;
        flushOwnOutput();
        // First, on the event loop, everything the client sends from now on goes to the relay (held until the
        // peer is connected: the client may answer the peer's greeting before the connect completes here).
        Relay inbound = new Relay(null);
        onEventLoop(() -> {
            var p = channel.pipeline();
            if (p.get("idle") != null) {
                p.remove("idle"); // the peer has its own idle timeout
            }
            p.addBefore(DECODER, "relay", inbound);
        });
        io.netty.channel.ChannelFuture connect = new io.netty.bootstrap.Bootstrap()
                .group(channel.eventLoop())
                .channel(io.netty.channel.socket.nio.NioSocketChannel.class)
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                .handler(new Relay(channel))
                .connect(target);
        if (!connect.awaitUninterruptibly(connectTimeout.toMillis() + 1000) || !connect.isSuccess()) {
            connect.channel().close();
            onEventLoop(() -> {
                channel.pipeline().remove(inbound);
                inbound.discard();
            });
            throw new java.io.IOException("cannot connect to " + target + ": "
                    + (connect.cause() == null ? "timed out" : connect.cause().getMessage()), connect.cause());
        }
        Channel peer = connect.channel();
        relayedTo = target;
        LOG.debugf("[%s] relayed to %s", id, target);
        channel.eventLoop().execute(() -> {
            inbound.connectTo(peer);
            channel.closeFuture().addListener(f -> peer.close());
            if (!channel.isActive()) {
                peer.close();
            }
        });
    }

    /** Runs {@code task} on this connection's event loop and waits for it (the caller is a command thread). */
    private void onEventLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().submit(task).syncUninterruptibly();
        }
    }

    @Override
    public InetSocketAddress relayedTo() {
        return relayedTo;
    }

    @Override
    public void startTls() {
        if (listener.sslContext() == null || secure) {
            throw new IllegalStateException("TLS not available on " + id);
        }
        needsEventLoop = true;
        ByteBuf reply;
        synchronized (outLock) {
            reply = takePending(); // the command's "OK, begin TLS"
            tlsRequested = true;
        }
        // One event-loop task installs TLS and only then sends the OK, so the client's ClientHello (sent after
        // the OK) always meets the SslHandler; the SslHandler lets that first write through in plaintext.
        // Anything the client pipelined in plaintext is dropped (RFC 9051 6.2.1).
        channel.eventLoop().execute(() -> {
            synchronized (queue) {
                queue.forEach(SpoolFiles::release);
                queue.clear();
            }
            ((SessionDecoder) channel.pipeline().get(DECODER)).discardBuffered();
            channel.pipeline().addFirst(TLS_HANDLER,
                    new SslHandler(listener.sslContext().newEngine(channel.alloc()), reply != null));
            secure = true;
            if (reply != null) {
                channel.writeAndFlush(reply);
            }
            LOG.debugf("[%s] TLS started", id);
        });
    }

    /** Hands what the running command wrote so far to Netty (command thread only; keeps it before what follows). */
    private void flushOwnOutput() {
        if (Thread.currentThread() != deliveryThread) {
            return;
        }
        synchronized (outLock) {
            writeOut(takePending());
        }
    }

    @Override
    public void close() {
        needsEventLoop = true;
        closeRequested = true;
        if (!delivering) {
            channel.eventLoop().execute(() -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER)
                    .addListener(ChannelFutureListener.CLOSE));
        }
    }

    // ---- CodecLimits (event loop) ----

    @Override
    public int maxLineLength() {
        ProtocolActivationSpec spec = listener.spec();
        return user == null ? spec.getMaxLineLengthBeforeAuth() : spec.getMaxLineLength();
    }

    @Override
    public int maxLiteralSize() {
        ProtocolActivationSpec spec = listener.spec();
        return user == null ? spec.getMaxLiteralSizeBeforeAuth() : spec.getMaxLiteralSize();
    }

    @Override
    public long maxCommandSize() {
        return 2L * maxLiteralSize() + 4L * maxLineLength();
    }
}
