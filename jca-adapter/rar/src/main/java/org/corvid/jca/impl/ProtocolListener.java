package org.corvid.jca.impl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.corvid.jca.api.ListenerMXBean;
import org.corvid.jca.api.Protocol;
import org.corvid.jca.impl.codec.LineRequestDecoder;
import org.corvid.jca.impl.codec.TaggedRequestDecoder;
import org.jboss.logging.Logger;

/** One bound protocol socket (IMAP, LMTP, POP3 or MUPDATE) and its connections; visible over JMX. */
final class ProtocolListener implements ListenerMXBean {
    private static final Logger LOG = Logger.getLogger(ProtocolListener.class);

    private final ProtocolActivationSpec spec;
    private final CommandMap commands;
    private final Delivery delivery;
    private final Dialect dialect;
    private final SslContext sslContext;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dispatched = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong connectionIds = new AtomicLong();
    private Channel serverChannel;
    private ObjectName objectName;

    ProtocolListener(ProtocolActivationSpec spec, CommandMap commands, MessageEndpointFactory factory,
                     ExecutorService dispatcher) {
        this.spec = spec;
        this.commands = commands;
        this.dialect = Dialect.of(commands.protocol());
        this.delivery = new Delivery(factory, dispatcher);
        this.sslContext = spec.getTlsEnabled() ? TlsContexts.serverContext(spec) : null;
    }

    void start(EventLoopGroup boss, EventLoopGroup io) throws Exception {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initConnection(ch);
                    }
                });
        serverChannel = bootstrap.bind(spec.getBindAddress(), spec.effectivePort()).sync().channel();
        objectName = new ObjectName(ListenerMXBean.objectName(protocol(), getPort()));
        var mbeans = ManagementFactory.getPlatformMBeanServer();
        if (mbeans.isRegistered(objectName)) {
            mbeans.unregisterMBean(objectName);
        }
        mbeans.registerMBean(this, objectName);
        LOG.infof("%s listener on %s:%d (%s, commands %s)", protocol(), spec.getBindAddress(), getPort(),
                spec.getImplicitTls() ? "implicit TLS" : sslContext != null ? "TLS configured" : "no TLS",
                commands.commandNames());
    }

    /** Sets up the pipeline of a new connection (package-private for tests with an embedded channel). */
    void initConnection(Channel ch) {
        accepted.incrementAndGet();
        if (open.get() >= spec.getMaxConnections()) {
            rejected.incrementAndGet();
            LOG.warnf("%s: connection limit %d reached, refusing %s", protocol(), spec.getMaxConnections(),
                    ch.remoteAddress());
            ch.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(dialect.busy() + "\r\n",
                    java.nio.charset.StandardCharsets.US_ASCII)).addListener(f -> ch.close());
            return;
        }
        open.incrementAndGet(); // counted at accept, so a burst cannot overshoot maxConnections
        String id = protocol().name().toLowerCase(java.util.Locale.ROOT) + "-"
                + Long.toHexString(connectionIds.incrementAndGet());
        Session session = new Session(id, this, ch);
        ChannelPipeline p = ch.pipeline();
        if (spec.getImplicitTls()) {
            p.addLast(Session.TLS_HANDLER, sslContext.newHandler(ch.alloc()));
            session.markSecure();
        }
        if (spec.getIdleTimeoutSeconds() > 0) {
            p.addLast("idle", new IdleStateHandler(0, 0, spec.getIdleTimeoutSeconds(), TimeUnit.SECONDS));
        }
        p.addLast(Session.DECODER, protocol().grammar() == Protocol.Grammar.TAGGED
                ? new TaggedRequestDecoder(session, protocol() == Protocol.IMAP ? "Ready for literal data" : "go ahead")
                : new LineRequestDecoder(session));
        p.addLast("session", session);
        connections.add(ch);
    }

    void stop() {
        try {
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
            }
            connections.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(
                    dialect.bye("Server shutting down") + "\r\n", java.nio.charset.StandardCharsets.US_ASCII));
            connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            if (objectName != null) {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
            }
        } catch (Exception e) {
            LOG.warnf(e, "%s listener did not stop cleanly", protocol());
        }
        LOG.infof("%s listener stopped", protocol());
    }

    void closed() { open.decrementAndGet(); }
    void commandDispatched() { dispatched.incrementAndGet(); }

    ProtocolActivationSpec spec() { return spec; }
    CommandMap commands() { return commands; }
    Delivery delivery() { return delivery; }
    Dialect dialect() { return dialect; }
    Protocol protocol() { return commands.protocol(); }
    SslContext sslContext() { return sslContext; }

    @Override
    public String getProtocol() { return protocol().name(); }

    @Override
    public String getBindAddress() { return spec.getBindAddress(); }

    @Override
    public int getPort() {
        return serverChannel == null ? spec.effectivePort() : ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public boolean isTls() { return spec.getImplicitTls(); }

    @Override
    public int getOpenConnections() { return open.get(); }

    @Override
    public long getAcceptedConnections() { return accepted.get(); }

    @Override
    public long getCommands() { return dispatched.get(); }

    @Override
    public long getRejectedConnections() { return rejected.get(); }
}
