package org.corvid.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection: connect, wait for the greeting, LOGIN, then stay idle until {@link #logout()}.
 * <p>
 * All state except {@link #attemptFinished} is only touched on the channel's event loop. Each step (connect, greeting,
 * login) has its own timeout; every failure is counted under a reason and never propagates.
 */
final class BenchConnection extends SimpleChannelInboundHandler<ByteBuf> {

    static final int MAX_LINE = 64 * 1024;
    static final long STEP_TIMEOUT_MILLIS = 30_000;

    private enum Phase { CONNECTING, GREETING, LOGIN, IDLE, LOGOUT, DONE }

    private final int id;
    private final long startNanos;
    private final String loginCommand;
    private final BenchStats stats;
    private final ChannelGroup loggedInChannels;

    /** Ensures the attempt is finished (logged in or failed) exactly once: releases the ramp permit and the latch. */
    private final AtomicBoolean attemptFinished = new AtomicBoolean();

    private Phase phase = Phase.CONNECTING;
    private long loginSentNanos;
    private ScheduledFuture<?> stepTimeout;
    private ChannelHandlerContext ctx;

    BenchConnection(int id, long startNanos, String loginCommand, BenchStats stats, ChannelGroup loggedInChannels) {
        this.id = id;
        this.startNanos = startNanos;
        this.loginCommand = loginCommand;
        this.stats = stats;
        this.loggedInChannels = loggedInChannels;
    }

    /** Listener for the connect future; may run on any thread if the channel could not even be created. */
    void onConnectDone(ChannelFuture future) {
        if (!future.isSuccess()) {
            onConnectFailed(future.cause(), future.channel());
        }
    }

    /** The connect attempt failed (refused, timed out, no local fd/port, ...); {@code channel} may be null. */
    void onConnectFailed(Throwable cause, Channel channel) {
        finishFailed(classifyConnectFailure(cause), describe(cause));
        // A channel that could not be created/registered (e.g. no fd left) has no event loop to close on.
        if (channel != null && channel.isRegistered()) {
            try {
                channel.close();
            } catch (RuntimeException ignored) {
                // already closed or not closable: nothing to release
            }
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        stats.tcpConnectNanos.set(id, Math.max(1, now - startNanos));
        phase = Phase.GREETING;
        armTimeout(Phase.GREETING, "greeting_timeout");
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        String line = frame.toString(StandardCharsets.UTF_8);
        switch (phase) {
            case GREETING -> onGreetingLine(ctx, line);
            case LOGIN -> onLoginLine(ctx, line);
            case IDLE -> {
                if (startsWithIgnoreCase(line, "* BYE")) {
                    stats.byeWhileIdle.increment();
                }
                // Other untagged data (EXISTS, OK [ALERT], ...) is ignored while idle.
            }
            case LOGOUT -> {
                if (startsWithIgnoreCase(line, "z ")) {
                    if (startsWithIgnoreCase(line, "z OK")) {
                        stats.logoutOk.increment();
                    }
                    phase = Phase.DONE;
                    ctx.close();
                }
            }
            default -> {
                // CONNECTING cannot receive data; DONE ignores everything.
            }
        }
    }

    private void onGreetingLine(ChannelHandlerContext ctx, String line) {
        if (startsWithIgnoreCase(line, "* OK")) {
            long now = System.nanoTime();
            stats.greetingNanos.set(id, Math.max(1, now - startNanos));
            stats.greeted.increment();
            cancelTimeout();
            phase = Phase.LOGIN;
            loginSentNanos = System.nanoTime();
            ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), loginCommand))
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            fail("login_write_failed", describe(f.cause()));
                        }
                    });
            armTimeout(Phase.LOGIN, "login_timeout");
        } else if (startsWithIgnoreCase(line, "* BYE")) {
            fail("greeting_bye", line);
        } else if (startsWithIgnoreCase(line, "* PREAUTH")) {
            fail("greeting_preauth", line);
        } else {
            fail("greeting_unexpected", line);
        }
    }

    private void onLoginLine(ChannelHandlerContext ctx, String line) {
        if (startsWithIgnoreCase(line, "a1 ")) {
            String status = firstWord(line.substring(3));
            switch (status) {
                case "OK" -> {
                    long now = System.nanoTime();
                    stats.loginNanos.set(id, Math.max(1, now - loginSentNanos));
                    cancelTimeout();
                    phase = Phase.IDLE;
                    stats.loggedIn.increment();
                    loggedInChannels.add(ctx.channel());
                    finishAttempt();
                }
                case "NO" -> fail("login_no", line);
                case "BAD" -> fail("login_bad", line);
                default -> fail("login_unexpected", line);
            }
        } else if (startsWithIgnoreCase(line, "* BYE")) {
            fail("login_bye", line);
        } else if (line.startsWith("+")) {
            fail("login_unexpected_continuation", line);
        }
        // Untagged data before the tagged answer (e.g. "* CAPABILITY ...") is ignored.
    }

    /** Starts the polite close: {@code z LOGOUT}; the channel closes on the tagged answer or when the server closes. */
    void logout() {
        if (ctx == null) {
            return;
        }
        ctx.executor().execute(() -> {
            if (phase != Phase.IDLE || !ctx.channel().isActive()) {
                return;
            }
            phase = Phase.LOGOUT;
            ctx.writeAndFlush(ByteBufUtil.writeAscii(ctx.alloc(), "z LOGOUT\r\n"));
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        switch (phase) {
            case CONNECTING -> fail("closed_before_connect_completed", null);
            case GREETING -> fail("closed_before_greeting", null);
            case LOGIN -> fail("closed_during_login", null);
            case IDLE -> stats.lostWhileIdle.increment();
            default -> {
                // LOGOUT/DONE: expected.
            }
        }
        phase = Phase.DONE;
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        switch (phase) {
            case CONNECTING, GREETING, LOGIN -> {
                String step = phase.name().toLowerCase(Locale.ROOT);
                String reason;
                if (cause instanceof TooLongFrameException) {
                    reason = step + "_line_too_long";
                } else if (messageChainContains(cause, "Connection reset")) {
                    reason = step + "_reset";
                } else {
                    reason = step + "_error(" + cause.getClass().getSimpleName() + ")";
                }
                fail(reason, describe(cause));
            }
            case IDLE -> ctx.close(); // counted as lost by channelInactive
            default -> ctx.close();
        }
    }

    private void armTimeout(Phase expected, String reason) {
        cancelTimeout();
        stepTimeout = ctx.executor().schedule(() -> {
            if (phase == expected) {
                fail(reason, "no answer within " + STEP_TIMEOUT_MILLIS + " ms");
            }
        }, STEP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void cancelTimeout() {
        if (stepTimeout != null) {
            stepTimeout.cancel(false);
            stepTimeout = null;
        }
    }

    /** Failure during connect/greeting/login: count it once, then close the channel. */
    private void fail(String reason, String example) {
        cancelTimeout();
        phase = Phase.DONE;
        finishFailed(reason, example);
        if (ctx != null) {
            ctx.close();
        }
    }

    private void finishFailed(String reason, String example) {
        if (attemptFinished.compareAndSet(false, true)) {
            stats.recordFailure(reason, example);
            stats.inFlight.release();
            stats.attemptsFinished.countDown();
        }
    }

    private void finishAttempt() {
        if (attemptFinished.compareAndSet(false, true)) {
            stats.inFlight.release();
            stats.attemptsFinished.countDown();
        }
    }

    static String classifyConnectFailure(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect_timeout";
        }
        if (messageChainContains(cause, "Connection refused")) {
            return "connect_refused";
        }
        if (messageChainContains(cause, "Too many open files")) {
            return "local_fd_limit";
        }
        if (messageChainContains(cause, "Cannot assign requested address")) {
            return "local_ports_exhausted";
        }
        if (messageChainContains(cause, "Connection reset")) {
            return "connect_reset";
        }
        return "connect_error(" + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + ")";
    }

    private static boolean messageChainContains(Throwable t, String text) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable t) {
        return t == null ? null : t.getClass().getName() + ": " + t.getMessage();
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static String firstWord(String s) {
        int sp = s.indexOf(' ');
        return (sp < 0 ? s : s.substring(0, sp)).toUpperCase(Locale.ROOT);
    }

    /** IMAP astring for LOGIN: an atom when safe, else a quoted string. */
    static String astring(String s) {
        if (!s.isEmpty() && s.chars().allMatch(BenchConnection::isAtomChar)) {
            return s;
        }
        if (s.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0 || c > 0x7e)) {
            throw new IllegalArgumentException("user/password must be printable ASCII without CR/LF");
        }
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static boolean isAtomChar(int c) {
        return c > 0x20 && c < 0x7f && "(){%*\"\\]".indexOf(c) < 0;
    }
}
