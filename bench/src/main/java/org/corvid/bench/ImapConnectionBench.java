package org.corvid.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * IMAP connection load driver: opens {@code --connections} connections to a Corvid IMAP listener with at most
 * {@code --ramp} attempts in flight, measures connect+greeting and LOGIN latency, keeps every connection open and
 * idle for {@code --hold-seconds}, samples the server JVM's resident memory and the health endpoint, then logs out.
 * <p>
 * All connections share one 2-thread Netty NIO event loop group (no thread per connection). The run is bounded: it
 * ends by itself after at most 5 minutes + hold-seconds. It only connects to {@code --host}, which must be loopback
 * or a server you operate. Prints plain text, ending with one {@code RESULT ...} line.
 */
public final class ImapConnectionBench {

    private static final long BASE_BUDGET_SECONDS = 300;
    /** Reserved at the end of the overall deadline for the LOGOUT/close phase. */
    private static final long CLOSE_BUDGET_SECONDS = 20;
    private static final int IO_THREADS = 2;
    /** File descriptors needed besides the sockets (jars, selectors, stdio, ...). */
    private static final int FD_HEADROOM = 128;

    private final BenchConfig cfg;
    private final BenchStats stats;
    private final AtomicInteger started = new AtomicInteger();

    private ImapConnectionBench(BenchConfig cfg) {
        this.cfg = cfg;
        this.stats = new BenchStats(cfg.connections, cfg.ramp);
    }

    public static void main(String[] args) {
        BenchConfig cfg;
        try {
            cfg = BenchConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(BenchConfig.USAGE);
            System.exit(2);
            return;
        }
        if (cfg == null) {
            System.out.println(BenchConfig.USAGE);
            System.exit(0);
            return;
        }
        int code;
        try {
            code = new ImapConnectionBench(cfg).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.out.println("interrupted");
            code = 1;
        }
        System.exit(code);
    }

    private int run() throws InterruptedException {
        final long runStart = System.nanoTime();
        final long deadline = runStart + TimeUnit.SECONDS.toNanos(BASE_BUDGET_SECONDS + cfg.holdSeconds);
        startWatchdog(deadline + TimeUnit.SECONDS.toNanos(15));

        out("corvid-bench: %d connections to %s:%d as %s, ramp=%d in flight, hold=%ds, deadline=%ds",
                cfg.connections, cfg.host, cfg.port, cfg.user, cfg.ramp, cfg.holdSeconds,
                BASE_BUDGET_SECONDS + cfg.holdSeconds);

        InetAddress address;
        try {
            address = InetAddress.getByName(cfg.host);
        } catch (UnknownHostException e) {
            out("error: cannot resolve --host=%s", cfg.host);
            return 2;
        }
        if (!address.isLoopbackAddress()) {
            out("WARNING: %s is not a loopback address; only run this against a server you operate", address);
        }
        checkLocalLimits();
        long serverPid = resolveServerPid();
        OptionalLong rssBeforeKb = serverPid > 0 ? ProcInfo.statusKb(serverPid, "VmRSS") : OptionalLong.empty();
        if (serverPid > 0) {
            checkServerFdLimit(serverPid);
            out("server before: VmRSS=%s MiB VmHWM=%s MiB threads=%s",
                    mib(rssBeforeKb), mib(ProcInfo.statusKb(serverPid, "VmHWM")),
                    orNa(ProcInfo.statusField(serverPid, "Threads")));
        }

        String loginCommand;
        try {
            loginCommand = "a1 LOGIN " + BenchConnection.astring(cfg.user) + " "
                    + BenchConnection.astring(cfg.password) + "\r\n";
        } catch (IllegalArgumentException e) {
            out("error: %s", e.getMessage());
            return 2;
        }

        HttpClient healthClient = newHealthClient();
        EventLoopGroup group = new NioEventLoopGroup(IO_THREADS, new DefaultThreadFactory("bench-io", true));
        ChannelGroup loggedIn = new DefaultChannelGroup("logged-in", GlobalEventExecutor.INSTANCE);
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
        });
        try {
            return drive(group, loggedIn, progress, new InetSocketAddress(address, cfg.port), loginCommand,
                    deadline, serverPid, rssBeforeKb, healthClient);
        } finally {
            progress.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private int drive(EventLoopGroup group, ChannelGroup loggedIn, ScheduledExecutorService progress,
                      InetSocketAddress target, String loginCommand, long deadline, long serverPid,
                      OptionalLong rssBeforeKb, HttpClient healthClient) throws InterruptedException {
        Bootstrap base = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) BenchConnection.STEP_TIMEOUT_MILLIS)
                .option(ChannelOption.TCP_NODELAY, true);

        // ---- connect + greeting + LOGIN -------------------------------------------------------------------
        final long connectPhaseEnd = deadline - TimeUnit.SECONDS.toNanos(cfg.holdSeconds + CLOSE_BUDGET_SECONDS);
        final long connectStart = System.nanoTime();
        progress.scheduleAtFixedRate(() -> out("progress t=%.1fs started=%d greeted=%d logged_in=%d failed=%d open=%d",
                        (System.nanoTime() - connectStart) / 1e9, started.get(), stats.greeted.sum(),
                        stats.loggedIn.sum(), stats.failed.sum(), loggedIn.size()),
                5, 5, TimeUnit.SECONDS);

        for (int i = 0; i < cfg.connections; i++) {
            long wait = connectPhaseEnd - System.nanoTime();
            if (wait <= 0 || !stats.inFlight.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                break;
            }
            long start = System.nanoTime();
            BenchConnection conn = new BenchConnection(i, start, loginCommand, stats, loggedIn);
            started.incrementAndGet();
            try {
                ChannelFuture f = base.clone()
                        .handler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new LineBasedFrameDecoder(BenchConnection.MAX_LINE), conn);
                            }
                        })
                        .connect(target);
                if (f.isDone()) {
                    // Failed synchronously (e.g. out of file descriptors): account for it right here rather than
                    // through a listener on Netty's global executor.
                    conn.onConnectDone(f);
                } else {
                    f.addListener((ChannelFuture cf) -> conn.onConnectDone(cf));
                }
            } catch (RuntimeException e) {
                conn.onConnectFailed(e, null);
            }
        }
        int attempted = started.get();
        int notStarted = cfg.connections - attempted;
        for (int i = 0; i < notStarted; i++) {
            stats.attemptsFinished.countDown();
        }
        long remaining = connectPhaseEnd - System.nanoTime();
        boolean allFinished = stats.attemptsFinished.await(Math.max(0, remaining), TimeUnit.NANOSECONDS);
        long wallNanos = System.nanoTime() - connectStart;
        progress.shutdownNow();

        // ---- report the connect phase ------------------------------------------------------------------------
        long greeted = stats.greeted.sum();
        long ok = stats.loggedIn.sum();
        Map<String, Long> failures = stats.failuresByReason();
        long unfinished = allFinished ? 0 : Math.max(0, attempted - ok - stats.failed.sum());
        if (notStarted > 0) {
            failures.put("not_started_deadline", (long) notStarted);
        }
        if (unfinished > 0) {
            failures.put("unfinished_at_deadline", unfinished);
        }
        long failed = cfg.connections - ok;
        double wallSeconds = wallNanos / 1e9;

        long[] tcp = BenchStats.samples(stats.tcpConnectNanos);
        long[] greet = BenchStats.samples(stats.greetingNanos);
        long[] login = BenchStats.samples(stats.loginNanos);

        out("");
        out("connections attempted=%d greeted=%d logged_in=%d failed=%d still_open=%d",
                attempted, greeted, ok, failed, loggedIn.size());
        if (failures.isEmpty()) {
            out("failures: none");
        } else {
            for (Map.Entry<String, Long> e : failures.entrySet()) {
                String example = stats.failureExample(e.getKey());
                out("failures %s=%d%s", e.getKey(), e.getValue(), example == null ? "" : "  (e.g. " + example + ")");
            }
        }
        out("tcp connect      p50=%s p99=%s max=%s (%d samples)",
                msUnit(BenchStats.percentileMs(tcp, 50)), msUnit(BenchStats.percentileMs(tcp, 99)),
                msUnit(BenchStats.maxMs(tcp)), tcp.length);
        out("connect+greeting p50=%s p90=%s p99=%s max=%s (%d samples)",
                msUnit(BenchStats.percentileMs(greet, 50)), msUnit(BenchStats.percentileMs(greet, 90)),
                msUnit(BenchStats.percentileMs(greet, 99)), msUnit(BenchStats.maxMs(greet)), greet.length);
        out("login            p50=%s p99=%s max=%s (%d samples)",
                msUnit(BenchStats.percentileMs(login, 50)), msUnit(BenchStats.percentileMs(login, 99)),
                msUnit(BenchStats.maxMs(login)), login.length);
        double rate = wallSeconds > 0 ? ok / wallSeconds : 0;
        out("wall time %.2fs, %.1f logged-in connections/s (%d I/O threads, ramp %d)",
                wallSeconds, rate, IO_THREADS, cfg.ramp);

        // ---- hold ------------------------------------------------------------------------------------------------
        long holdEnd = Math.min(System.nanoTime() + TimeUnit.SECONDS.toNanos(cfg.holdSeconds),
                deadline - TimeUnit.SECONDS.toNanos(CLOSE_BUDGET_SECONDS));
        out("");
        out("holding %d idle connections for %ds ...", loggedIn.size(), cfg.holdSeconds);
        while (true) {
            long left = holdEnd - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        }
        int heldOpen = loggedIn.size();
        out("after hold: still_open=%d lost_while_idle=%d bye_while_idle=%d",
                heldOpen, stats.lostWhileIdle.sum(), stats.byeWhileIdle.sum());

        // ---- server memory and health ----------------------------------------------------------------------------
        OptionalLong rssKb = OptionalLong.empty();
        OptionalLong hwmKb = OptionalLong.empty();
        if (serverPid > 0) {
            rssKb = ProcInfo.statusKb(serverPid, "VmRSS");
            hwmKb = ProcInfo.statusKb(serverPid, "VmHWM");
            long fds = ProcInfo.openFdCount(serverPid);
            out("server pid=%d VmRSS=%s MiB VmHWM=%s MiB threads=%s open_fds=%s",
                    serverPid, mib(rssKb), mib(hwmKb), orNa(ProcInfo.statusField(serverPid, "Threads")),
                    fds < 0 ? "NA" : Long.toString(fds));
            if (rssKb.isPresent() && rssBeforeKb.isPresent() && heldOpen > 0) {
                out("server RSS growth %s MiB over the run, %.1f KiB per held connection",
                        mib(OptionalLong.of(rssKb.getAsLong() - rssBeforeKb.getAsLong())),
                        (rssKb.getAsLong() - rssBeforeKb.getAsLong()) / (double) heldOpen);
            }
        } else {
            out("server memory: NA (no server pid)");
        }
        fetchHealth(healthClient);

        // ---- close -----------------------------------------------------------------------------------------------
        out("");
        out("closing %d connections with LOGOUT ...", loggedIn.size());
        long closeStart = System.nanoTime();
        List<Channel> toClose = new ArrayList<>(loggedIn);
        for (Channel ch : toClose) {
            BenchConnection conn = ch.pipeline().get(BenchConnection.class);
            if (conn != null) {
                conn.logout();
            }
        }
        long closeEnd = Math.min(System.nanoTime() + TimeUnit.SECONDS.toNanos(10), deadline);
        while (!loggedIn.isEmpty() && System.nanoTime() < closeEnd) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        int forced = loggedIn.size();
        if (forced > 0) {
            loggedIn.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        out("closed in %.2fs: logout_ok=%d forced_close=%d",
                (System.nanoTime() - closeStart) / 1e9, stats.logoutOk.sum(), forced);

        out("");
        out("RESULT connections=%d ok=%d failed=%d greet_p50_ms=%s greet_p99_ms=%s login_p50_ms=%s rss_mib=%s hwm_mib=%s"
                        + " login_p99_ms=%s held_open=%d conn_per_s=%.1f",
                cfg.connections, ok, failed,
                ms(BenchStats.percentileMs(greet, 50)), ms(BenchStats.percentileMs(greet, 99)),
                ms(BenchStats.percentileMs(login, 50)), mib(rssKb), mib(hwmKb),
                ms(BenchStats.percentileMs(login, 99)), heldOpen, rate);
        return 0;
    }

    // ---- preflight ------------------------------------------------------------------------------------------------

    private void checkLocalLimits() {
        long needed = (long) cfg.connections + FD_HEADROOM;
        long[] self = ProcInfo.maxOpenFiles("self");
        if (self == null) {
            out("fd limit: unknown (/proc/self/limits not readable)");
        } else if (self[0] >= 0 && self[0] < needed) {
            out("WARNING fd limit: soft=%s hard=%s is too low for %d connections (need ~%d); "
                            + "run `ulimit -n 20000` in this shell and in the server's shell. Connections past the "
                            + "limit fail as local_fd_limit, and the server memory/health readings may be NA",
                    limit(self[0]), limit(self[1]), cfg.connections, needed);
        } else {
            out("fd limit: soft=%s hard=%s (enough for %d connections; the server needs as many)",
                    limit(self[0]), limit(self[1]), cfg.connections);
        }
        int ports = ProcInfo.ephemeralPortCount();
        if (ports > 0 && ports < cfg.connections) {
            out("WARNING: only %d local ephemeral ports (net.ipv4.ip_local_port_range) for %d connections",
                    ports, cfg.connections);
        }
    }

    private void checkServerFdLimit(long pid) {
        long[] server = ProcInfo.maxOpenFiles(Long.toString(pid));
        long needed = (long) cfg.connections + 1024;
        if (server != null && server[0] >= 0 && server[0] < needed) {
            out("WARNING server fd limit: soft=%s hard=%s may be too low for %d connections; "
                    + "start it after `ulimit -n 20000`", limit(server[0]), limit(server[1]), cfg.connections);
        } else if (server != null) {
            out("server fd limit: soft=%s hard=%s", limit(server[0]), limit(server[1]));
        }
    }

    private long resolveServerPid() {
        if (cfg.serverPid > 0) {
            if (!ProcInfo.exists(cfg.serverPid)) {
                out("WARNING: --server-pid=%d not found in /proc; server memory will be NA", cfg.serverPid);
            } else {
                out("server pid=%d (from --server-pid)", cfg.serverPid);
            }
            return cfg.serverPid;
        }
        List<ProcInfo.JvmProcess> candidates = ProcInfo.findWildFlyProcesses();
        ProcInfo.JvmProcess picked = ProcInfo.pickServer(candidates, cfg.port);
        if (picked == null) {
            out("server pid: no jboss-modules.jar process found; server memory will be NA (use --server-pid=)");
            return 0;
        }
        int offset = cfg.port - 1143;
        boolean matched = picked.hasArg("-Djboss.socket.binding.port-offset=" + offset)
                || (offset == 0 && !picked.mentionsPortOffset());
        out("server pid=%d (jboss-modules.jar process, %d candidate%s, %s port offset %d)",
                picked.pid(), candidates.size(), candidates.size() == 1 ? "" : "s",
                matched ? "matches" : "none matches; lowest pid, NOT verified for", offset);
        return picked.pid();
    }

    // ---- health ---------------------------------------------------------------------------------------------------

    /**
     * Built before the connections are opened: creating it loads TLS/crypto classes and opens files, which fails
     * if this process has run out of file descriptors by then.
     */
    private HttpClient newHealthClient() {
        if (cfg.healthUrl.isEmpty()) {
            return null;
        }
        try {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        } catch (RuntimeException | LinkageError e) {
            out("health: cannot create HTTP client (%s)", e);
            return null;
        }
    }

    private void fetchHealth(HttpClient client) {
        if (cfg.healthUrl.isEmpty() || client == null) {
            out("health: skipped");
            return;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(cfg.healthUrl))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            if (body.length() > 8192) {
                body = body.substring(0, 8192) + "...(truncated)";
            }
            out("health: HTTP %d %s", response.statusCode(), body.strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out("health: interrupted");
        } catch (Exception | LinkageError e) {
            Throwable root = e;
            while (root.getMessage() == null && root.getCause() != null) {
                root = root.getCause();
            }
            out("health: unavailable (%s: %s)", e.getClass().getSimpleName(),
                    root == e ? e.getMessage() : root.getClass().getSimpleName() + " " + root.getMessage());
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** Safety net: if the orderly deadline handling ever hangs, end the process anyway. */
    private static void startWatchdog(long hardDeadlineNanos) {
        Thread t = new Thread(() -> {
            try {
                long left;
                while ((left = hardDeadlineNanos - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.sleep(left);
                }
                out("ABORT: overall deadline exceeded");
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException ignored) {
                // process is exiting
            }
        }, "bench-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private static void out(String format, Object... args) {
        System.out.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "NA" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String msUnit(double v) {
        return Double.isNaN(v) ? "NA" : ms(v) + "ms";
    }

    private static String mib(OptionalLong kb) {
        return kb.isPresent() ? String.format(Locale.ROOT, "%.1f", kb.getAsLong() / 1024.0) : "NA";
    }

    private static String limit(long v) {
        return v < 0 ? "unlimited" : Long.toString(v);
    }

    private static String orNa(String s) {
        return s == null ? "NA" : s;
    }
}
