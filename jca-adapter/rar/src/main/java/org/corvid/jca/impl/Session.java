package org.corvid.jca.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import org.corvid.jca.api.Value;
import org.corvid.jca.impl.codec.CodecLimits;
import org.corvid.jca.impl.codec.DecodeError;
import org.corvid.jca.impl.codec.LineRequestDecoder;
import org.corvid.jca.impl.codec.RawLine;
import org.corvid.jca.impl.codec.TaggedRequestDecoder;
import org.jboss.logging.Logger;
import org.wildfly.security.auth.server.SecurityIdentity;

/**
 * One client connection: orders decoded commands, checks each against the protocol state, and hands it to
 * the bean through {@link Delivery}, one command at a time. Fields marked "event loop" are only touched on
 * the channel's event loop; the rest may be touched by the bean's thread.
 */
final class Session extends ChannelInboundHandlerAdapter implements Connection, CodecLimits {
    static final String TLS_HANDLER = "tls";
    static final String DECODER = "decoder";
    private static final Logger LOG = Logger.getLogger(Session.class);
    /** Decoded commands queued beyond this stop reading from the socket until the queue drains. */
    private static final int MAX_QUEUED = 32;
    private static final long WRITABLE_WAIT_MS = 60_000;
    private static final Object CONNECTED = new Object();
    private static final int PENDING_FLUSH_BYTES = 32 * 1024;

    private final String id;
    private final ProtocolListener listener;
    private final Channel channel;
    private final Dialect dialect;

    private final ArrayDeque<Object> queue = new ArrayDeque<>(); // event loop
    private boolean busy;                                        // event loop
    private Object awaitingContinuation;                         // event loop

    private volatile SessionState state = SessionState.NOT_AUTHENTICATED;
    private volatile String user;
    private volatile SecurityIdentity identity;
    private volatile boolean secure;
    private volatile boolean delivering;
    private volatile boolean closeRequested;
    private volatile boolean tlsRequested;
    private volatile Object current;
    private volatile Future<?> pendingWrite;
    /** The dispatch thread running this session's command; its writes are batched in {@link #pendingOut}. */
    private volatile Thread deliveryThread;
    private ByteBuf pendingOut; // deliveryThread only
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
        listener.opened();
        LOG.debugf("[%s] connected from %s", id, channel.remoteAddress());
        enqueue(CONNECTED);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        listener.closed();
        state = SessionState.LOGOUT;
        queue.clear();
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
        queue.add(item);
        if (queue.size() > MAX_QUEUED) {
            channel.config().setAutoRead(false);
        }
        drain();
    }

    private void drain() {
        while (!busy && !queue.isEmpty() && channel.isActive() && !closeRequested) {
            process(queue.poll());
        }
        if (queue.size() <= MAX_QUEUED / 2 && !channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
        channel.flush();
    }

    private void process(Object item) {
        if (item == CONNECTED) {
            deliver(listener.commands().onConnect(), new Object[] {this}, null);
        } else if (item instanceof DecodeError e) {
            write(dialect.error(e.tag(), e.message(), e.tooBig()));
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
        } else if (item instanceof TaggedRequest t) {
            dispatch(t.name(), t.tag(), t);
        } else if (item instanceof LineRequest l) {
            dispatch(l.name(), null, l);
        }
    }

    private void dispatch(String name, String tag, Object request) {
        CommandMap.Handler handler = listener.commands().handler(name);
        if (handler == null) {
            write(dialect.unknownCommand(tag, name));
        } else if (!handler.validIn(state)) {
            write(dialect.wrongState(tag, name, state, handler.states()));
        } else {
            deliver(handler.method(), new Object[] {request, this}, request);
        }
    }

    private void deliver(Method method, Object[] args, Object request) {
        busy = true;
        delivering = true;
        current = request;
        listener.commandDispatched();
        try {
            listener.delivery().submit(method, args, identity,
                    () -> deliveryThread = Thread.currentThread(),
                    failure -> {
                        flushPending();
                        deliveryThread = null;
                        channel.eventLoop().execute(() -> completed(request, failure));
                    });
        } catch (RejectedExecutionException e) {
            LOG.warnf("[%s] dispatch queue full, closing", id);
            delivering = false;
            writeAndClose(dialect.busy());
        }
    }

    private void completed(Object request, Throwable failure) {
        delivering = false;
        current = null;
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
            startTlsNow();
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
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        drain();
    }

    private void startTlsNow() {
        tlsRequested = false;
        queue.clear(); // RFC 9051 §6.2.1: nothing pipelined before the handshake may be acted on
        ChannelHandler decoder = channel.pipeline().get(DECODER);
        if (decoder instanceof TaggedRequestDecoder t) {
            t.discardBuffered();
        } else if (decoder instanceof LineRequestDecoder l) {
            l.discardBuffered();
        }
        channel.pipeline().addFirst(TLS_HANDLER, listener.sslContext().newHandler(channel.alloc()));
        secure = true;
        synchronized (afterTls) { // the SslHandler holds these until the handshake is done
            for (String line : afterTls) {
                channel.write(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8));
            }
            afterTls.clear();
        }
        channel.flush();
        LOG.debugf("[%s] TLS started", id);
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
    public boolean isSecure() {
        return secure;
    }

    @Override
    public boolean isTlsAvailable() {
        return !secure && !tlsRequested && listener.sslContext() != null;
    }

    @Override
    public void write(String line) {
        if (tlsRequested) {
            synchronized (afterTls) {
                afterTls.add(line);
            }
            return;
        }
        if (Thread.currentThread() == deliveryThread) {
            // the command's own replies: batched into large buffers, handed to Netty every 32 KiB and at the end
            if (pendingOut == null) {
                pendingOut = Unpooled.buffer(4096);
            }
            pendingOut.writeCharSequence(line, StandardCharsets.UTF_8);
            pendingOut.writeByte('\r').writeByte('\n');
            if (pendingOut.readableBytes() >= PENDING_FLUSH_BYTES) {
                flushPending();
            }
            return;
        }
        // a push from another thread (a change streamed to this connection, IDLE): out at once
        if (!channel.isWritable() && !channel.eventLoop().inEventLoop()) {
            awaitWritable();
        }
        channel.writeAndFlush(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8));
    }

    /** Hands the batched replies to Netty (delivery thread only), waiting while the client is slow to read. */
    private void flushPending() {
        if (pendingOut == null || Thread.currentThread() != deliveryThread) {
            return;
        }
        ByteBuf out = pendingOut;
        pendingOut = null;
        if (!channel.isWritable()) {
            awaitWritable();
        }
        channel.writeAndFlush(out);
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
        flushPending();
        pendingWrite = channel.eventLoop().schedule(() -> {
            channel.writeAndFlush(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8));
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void continueWith(String continuationLine) {
        flushPending();
        Object request = current;
        channel.eventLoop().execute(() -> {
            awaitingContinuation = request;
            ChannelHandler decoder = channel.pipeline().get(DECODER);
            if (decoder instanceof TaggedRequestDecoder t) {
                t.expectRawLine();
            } else if (decoder instanceof LineRequestDecoder l) {
                l.expectRawLine();
            }
            channel.writeAndFlush(Unpooled.copiedBuffer(continuationLine + "\r\n", StandardCharsets.UTF_8));
        });
    }

    @Override
    public void startTls() {
        if (listener.sslContext() == null || secure) {
            throw new IllegalStateException("TLS not available on " + id);
        }
        flushPending(); // the OK goes out in plaintext, before the handshake
        tlsRequested = true;
    }

    @Override
    public void close() {
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
