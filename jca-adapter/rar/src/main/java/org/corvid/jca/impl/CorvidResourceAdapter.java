package org.corvid.jca.impl;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAResource;
import org.jboss.logging.Logger;

/**
 * Corvid's inbound resource adapter. Netty event loops (running as long-lived JCA Work) own every protocol
 * socket; no thread is tied to a connection. Bean invocations run on a separate bounded executor so a slow
 * command never stalls the event loops.
 */
public class CorvidResourceAdapter implements ResourceAdapter {
    private static final Logger LOG = Logger.getLogger(CorvidResourceAdapter.class);

    /** Event-loop threads for all listeners (0: one per core). */
    private Integer ioThreads = 0;
    /** Threads invoking beans, shared by all listeners. */
    private Integer dispatchThreads = 32;
    /** Commands waiting for a dispatch thread before new ones are refused. */
    private Integer dispatchQueue = 10_000;

    private EventLoopGroup bossGroup;
    private EventLoopGroup ioGroup;
    private ExecutorService dispatcher;
    private final Map<MessageEndpointFactory, ProtocolListener> listeners = new ConcurrentHashMap<>();
    private final Set<AutoCloseable> longRunning = ConcurrentHashMap.newKeySet();
    private Executor workExecutor;

    @Override
    public void start(BootstrapContext ctx) throws ResourceAdapterInternalException {
        workExecutor = workManagerExecutor(ctx.getWorkManager());
        int io = ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
        bossGroup = new NioEventLoopGroup(1, workExecutor);
        ioGroup = new NioEventLoopGroup(io, workExecutor);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(dispatchThreads, dispatchThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(dispatchQueue), r -> {
                    Thread t = new Thread(r, "corvid-dispatch-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        dispatcher = pool;
        LOG.infof("Corvid adapter started: %d io threads, %d dispatch threads", io, dispatchThreads);
    }

    /** Runs Netty's event-loop threads as JCA Work, so the container knows about them. */
    private static Executor workManagerExecutor(WorkManager workManager) {
        return command -> {
            try {
                workManager.startWork(new Work() {
                    @Override
                    public void run() {
                        command.run();
                    }

                    @Override
                    public void release() {
                        // event loops end when the group shuts down
                    }
                });
            } catch (WorkException e) {
                throw new IllegalStateException("WorkManager refused an event loop thread", e);
            }
        };
    }

    /**
     * Runs {@code task} on a thread of the JCA WorkManager until it ends or the adapter stops (which closes
     * {@code task}): outbound work that must block, such as a MUPDATE UPDATE stream.
     */
    public <T extends Runnable & AutoCloseable> void startLongRunning(T task, String name) {
        longRunning.add(task);
        workExecutor.execute(() -> {
            Thread t = Thread.currentThread();
            String old = t.getName();
            t.setName(name);
            try {
                task.run();
            } finally {
                longRunning.remove(task);
                t.setName(old);
            }
        });
    }

    @Override
    public void stop() {
        for (AutoCloseable task : longRunning) {
            try {
                task.close();
            } catch (Exception e) {
                LOG.debugf(e, "closing %s", task);
            }
        }
        longRunning.clear();
        org.corvid.jca.impl.backend.BackendPoolStats.unregisterAll();
        listeners.values().forEach(ProtocolListener::stop);
        listeners.clear();
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (dispatcher != null) {
            dispatcher.shutdown();
        }
        LOG.info("Corvid adapter stopped");
    }

    @Override
    public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws ResourceException {
        ProtocolActivationSpec pspec = (ProtocolActivationSpec) spec;
        CommandMap commands = pspec.commandMap(factory.getEndpointClass());
        if (pspec.getImplicitTls() && !pspec.getTlsEnabled()) {
            LOG.infof("%s implicit-TLS listener on port %d not started: TLS is disabled", commands.protocol(),
                    pspec.effectivePort());
            return;
        }
        ProtocolListener listener = new ProtocolListener(pspec, commands, factory, dispatcher);
        try {
            listener.start(bossGroup, ioGroup);
        } catch (Exception e) {
            throw new ResourceException("Cannot start the " + commands.protocol() + " listener on "
                    + pspec.getBindAddress() + ":" + pspec.effectivePort() + ": " + e.getMessage(), e);
        }
        listeners.put(factory, listener);
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
        ProtocolListener listener = listeners.remove(factory);
        if (listener != null) {
            listener.stop();
        }
    }

    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
    }

    public Integer getIoThreads() { return ioThreads; }
    public void setIoThreads(Integer ioThreads) { this.ioThreads = ioThreads; }
    public Integer getDispatchThreads() { return dispatchThreads; }
    public void setDispatchThreads(Integer dispatchThreads) { this.dispatchThreads = dispatchThreads; }
    public Integer getDispatchQueue() { return dispatchQueue; }
    public void setDispatchQueue(Integer dispatchQueue) { this.dispatchQueue = dispatchQueue; }

    // IronJacamar validation requires equals/hashCode on the ResourceAdapter (IJ020056).
    @Override
    public boolean equals(Object o) {
        return o instanceof CorvidResourceAdapter other
                && Objects.equals(ioThreads, other.ioThreads)
                && Objects.equals(dispatchThreads, other.dispatchThreads)
                && Objects.equals(dispatchQueue, other.dispatchQueue);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ioThreads, dispatchThreads, dispatchQueue);
    }
}
