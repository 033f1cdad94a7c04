package org.corvid.jca.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.corvid.jca.api.Command;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.ImapListener;
import org.corvid.jca.api.OnConnect;
import org.corvid.jca.api.SessionState;
import org.corvid.jca.api.TaggedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session's ordering, state checks and JCA delivery contract, with a fake endpoint and no container. */
class SessionDispatchTest {

    /** A bean that is its own endpoint, counting the JCA lifecycle calls. */
    public static class FakeBean implements ImapListener, MessageEndpoint {
        static final AtomicInteger created = new AtomicInteger();
        static final AtomicInteger before = new AtomicInteger();
        static final AtomicInteger after = new AtomicInteger();
        static final AtomicInteger released = new AtomicInteger();
        static final List<String> invokedOn = Collections.synchronizedList(new ArrayList<>());

        @OnConnect public void greet(Connection c) { c.write("* OK fake ready"); }

        @Command("CAPABILITY") public void capability(TaggedRequest r, Connection c) {
            c.write("* CAPABILITY IMAP4rev1");
            c.write(r.tag() + " OK Completed");
        }

        @Command("NOOP") public void noop(TaggedRequest r, Connection c) {
            invokedOn.add(String.valueOf(System.identityHashCode(this)));
            c.write(r.tag() + " OK Completed");
        }

        @Command("LOGOUT") public void logout(TaggedRequest r, Connection c) {
            c.write("* BYE bye");
            c.write(r.tag() + " OK Completed");
            c.setState(SessionState.LOGOUT);
        }

        @Command(value = "LOGIN", states = SessionState.NOT_AUTHENTICATED)
        public void login(TaggedRequest r, Connection c) {
            c.authenticated(r.string(0), null);
            c.write(r.tag() + " OK logged in");
        }

        @Command(value = "AUTHENTICATE", states = SessionState.NOT_AUTHENTICATED)
        public void authenticate(TaggedRequest r, Connection c) {
            if (r.args().size() == 1) {
                c.continueWith("+ ");
            } else {
                c.write(r.tag() + " OK got " + r.string(1));
            }
        }

        @Command(value = "SELECT", states = {SessionState.AUTHENTICATED, SessionState.SELECTED})
        public void select(TaggedRequest r, Connection c) {
            c.setState(SessionState.SELECTED);
            c.write(r.tag() + " OK [READ-WRITE] selected " + r.string(0));
        }

        /** Writes, lets another thread push a line mid-command, writes again. */
        @Command("PUSHDURING") public void pushDuring(TaggedRequest r, Connection c) throws InterruptedException {
            c.write("* before");
            Thread pusher = new Thread(() -> c.write("* PUSH"));
            pusher.start();
            pusher.join();
            c.write("* after");
            c.write(r.tag() + " OK Completed");
        }

        static final List<Connection.DeferredReply> deferred = Collections.synchronizedList(new ArrayList<>());

        /** Answers later: the test completes the reply. */
        @Command(value = "DEFER", pipelined = true) public void defer(TaggedRequest r, Connection c) {
            deferred.add(c.deferReply());
        }

        @Command("FAIL") public void fail(TaggedRequest r, Connection c) {
            throw new IllegalStateException("boom");
        }

        @Override public void beforeDelivery(Method method) { before.incrementAndGet(); }
        @Override public void afterDelivery() { after.incrementAndGet(); }
        @Override public void release() { released.incrementAndGet(); }
    }

    /** Runs deliveries on the calling thread, so the embedded channel sees results deterministically. */
    static class CallerRunsExecutor extends AbstractExecutorService {
        @Override public void execute(Runnable r) { r.run(); }
        @Override public void shutdown() { }
        @Override public List<Runnable> shutdownNow() { return List.of(); }
        @Override public boolean isShutdown() { return false; }
        @Override public boolean isTerminated() { return false; }
        @Override public boolean awaitTermination(long t, TimeUnit u) { return true; }
    }

    /** Holds deliveries until the test runs them: the client's whole pipeline is queued by then. */
    static final class HeldExecutor extends CallerRunsExecutor {
        final java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();
        int executed;
        @Override public void execute(Runnable r) { tasks.add(r); }
        /** Runs the held deliveries (and those they lead to) with the channel's pending tasks in between. */
        void runAll(EmbeddedChannel channel) {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                executed++;
                r.run();
                channel.runPendingTasks();
            }
        }
    }

    private EmbeddedChannel channel;

    private ProtocolActivationSpec spec;
    private MessageEndpointFactory factory;

    @BeforeEach
    void connect() {
        FakeBean.created.set(0);
        FakeBean.before.set(0);
        FakeBean.after.set(0);
        FakeBean.released.set(0);
        FakeBean.invokedOn.clear();
        FakeBean.deferred.clear();
        spec = new ProtocolActivationSpec();
        spec.setPort(0);
        spec.setTlsEnabled(false);
        spec.setIdleTimeoutSeconds(0);
        spec.setBeanClass(FakeBean.class.getName());
        factory = new MessageEndpointFactory() {
            @Override public MessageEndpoint createEndpoint(javax.transaction.xa.XAResource xa) {
                FakeBean.created.incrementAndGet();
                return new FakeBean();
            }
            @Override public MessageEndpoint createEndpoint(javax.transaction.xa.XAResource xa, long timeout)
                    throws UnavailableException {
                return createEndpoint(xa);
            }
            @Override public boolean isDeliveryTransacted(Method method) { return false; }
            @Override public String getActivationName() { return "fake"; }
            @Override public Class<?> getEndpointClass() { return FakeBean.class; }
        };
        connect(spec, factory, new CallerRunsExecutor());
    }

    private void connect(ProtocolActivationSpec spec, MessageEndpointFactory factory,
                         java.util.concurrent.ExecutorService executor) {
        ProtocolListener listener = new ProtocolListener(spec, spec.commandMap(FakeBean.class), factory, executor);
        channel = new EmbeddedChannel();
        listener.initConnection(channel);
        channel.pipeline().fireChannelActive();
        channel.runPendingTasks();
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        channel.runPendingTasks();
    }

    private String received() {
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return out.toString();
    }

    @Test
    void greetsThenAnswersInOrderWithStateChecks() {
        assertEquals("* OK fake ready\r\n", received());
        send("a1 SELECT INBOX\r\na2 BOGUS\r\na3 LOGIN alice x\r\na4 LOGIN alice x\r\na5 select INBOX\r\na6 NOOP\r\n");
        assertEquals("a1 BAD Please login first\r\n"
                + "a2 BAD Unrecognized command\r\n"
                + "a3 OK logged in\r\n"
                + "a4 BAD Already logged in\r\n"
                + "a5 OK [READ-WRITE] selected INBOX\r\n"
                + "a6 OK Completed\r\n", received());
    }

    @Test
    void everyDeliveryGetsItsOwnEndpointWithTheFullJcaLifecycle() {
        received();
        send("n1 NOOP\r\nn2 NOOP\r\nn3 NOOP\r\n");
        assertEquals("n1 OK Completed\r\nn2 OK Completed\r\nn3 OK Completed\r\n", received());
        assertEquals(4, FakeBean.created.get(), "greeting + 3 commands");
        assertEquals(4, FakeBean.before.get());
        assertEquals(4, FakeBean.after.get());
        assertEquals(4, FakeBean.released.get());
        assertEquals(3, FakeBean.invokedOn.stream().distinct().count(), "no endpoint reused");
    }

    @Test
    void deferredAnswersKeepTheirPlaceWhileLaterCommandsRun() {
        received();
        send("d1 DEFER\r\nd2 DEFER\r\nd3 NOOP\r\nd4 DEFER\r\n");
        assertEquals(2, FakeBean.deferred.size(), "pipelined commands went on past the deferred answer");
        assertEquals(0, FakeBean.invokedOn.size(), "NOOP (not pipelined) waits for the answers before it");
        assertEquals("", received(), "nothing overtakes d1");
        FakeBean.deferred.get(1).complete("d2 OK later");
        channel.runPendingTasks();
        assertEquals("", received(), "d2 is answered, d1 still not");
        FakeBean.deferred.get(0).complete("d1 OK first");
        FakeBean.deferred.get(0).complete("d1 OK twice"); // ignored
        channel.runPendingTasks();
        assertEquals(3, FakeBean.deferred.size(), "after NOOP, d4 ran");
        FakeBean.deferred.get(2).complete("d4 OK");
        channel.runPendingTasks();
        assertEquals("d1 OK first\r\nd2 OK later\r\nd3 OK Completed\r\nd4 OK\r\n", received());
        send("n1 NOOP\r\n");
        assertEquals("n1 OK Completed\r\n", received(), "no answer outstanding: straight out again");
    }

    @Test
    void atMostMaxDeferredOutstandingAndLogoutWaitsForThem() {
        received();
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < Session.MAX_DEFERRED + 2; i++) {
            many.append("p").append(i).append(" DEFER\r\n");
        }
        send(many + "z LOGOUT\r\n");
        assertEquals(Session.MAX_DEFERRED, FakeBean.deferred.size(), "the next command waits for room");
        FakeBean.deferred.get(0).complete("p0 OK");
        channel.runPendingTasks();
        assertEquals("p0 OK\r\n", received());
        assertEquals(Session.MAX_DEFERRED + 1, FakeBean.deferred.size());
        for (int i = 1; i < Session.MAX_DEFERRED + 1; i++) {
            channel.runPendingTasks();
            FakeBean.deferred.get(i).complete("p" + i + " OK");
        }
        channel.runPendingTasks();
        assertTrue(channel.isActive(), "LOGOUT is not answered before the last deferred answer");
        FakeBean.deferred.get(Session.MAX_DEFERRED + 1).complete("p" + (Session.MAX_DEFERRED + 1) + " OK");
        channel.runPendingTasks();
        String out = received();
        assertTrue(out.endsWith("p" + (Session.MAX_DEFERRED + 1) + " OK\r\n* BYE bye\r\nz OK Completed\r\n"), out);
        assertFalse(channel.isActive(), "closed after the answers");
    }

    @Test
    void aFailingBeanGivesNoAndTheConnectionLives() {
        received();
        send("f1 FAIL\r\nf2 NOOP\r\n");
        assertEquals("f1 NO [SERVERBUG] Internal error, see the server log\r\nf2 OK Completed\r\n", received());
        assertEquals(FakeBean.before.get(), FakeBean.after.get(), "afterDelivery runs even when the bean throws");
        assertTrue(channel.isActive());
    }

    @Test
    void malformedInputIsAnsweredInOrderAndTheConnectionLives() {
        received();
        send("m1 NOOP (unbalanced\r\nm2 NOOP\r\n");
        String out = received();
        assertTrue(out.startsWith("m1 BAD "), out);
        assertTrue(out.endsWith("m2 OK Completed\r\n"), out);
    }

    @Test
    void continuationDeliversTheNextLineToTheSameCommand() {
        received();
        send("s1 AUTHENTICATE PLAIN\r\n");
        assertEquals("+ \r\n", received());
        send("AGFsaWNlAGFsaWNl\r\n");
        assertEquals("s1 OK got AGFsaWNlAGFsaWNl\r\n", received());
    }

    @Test
    void aPushDuringACommandIsQueuedInOrderNeverAheadOfTheCommandsReplies() {
        received();
        send("p1 PUSHDURING\r\n");
        assertEquals("* before\r\n* PUSH\r\n* after\r\np1 OK Completed\r\n", received());
    }

    @Test
    void anOverLongContinuationLineEndsTheCommandWithATaggedBad() {
        received();
        send("s1 AUTHENTICATE PLAIN\r\n");
        assertEquals("+ \r\n", received());
        send("x".repeat(9000) + "\r\n");
        String out = received();
        assertTrue(out.startsWith("s1 BAD [TOOBIG] "), out);
        send("s2 NOOP\r\n");
        assertEquals("s2 OK Completed\r\n", received(), "the connection goes on normally");
    }

    @Test
    void pipelinedCommandsRunOnOneDeliveryUntilOneNeedsTheEventLoop() {
        HeldExecutor held = new HeldExecutor();
        connect(spec, factory, held);
        held.runAll(channel);
        assertEquals("* OK fake ready\r\n", received());
        held.executed = 0;
        send("c1 NOOP\r\nc2 BOGUS\r\nc3 NOOP\r\nc4 AUTHENTICATE PLAIN\r\n");
        held.runAll(channel);
        assertEquals("c1 OK Completed\r\nc2 BAD Unrecognized command\r\nc3 OK Completed\r\n+ \r\n", received(),
                "BOGUS answered in its place");
        assertEquals(2, held.executed, "c1; then c3 and c4 on one delivery, after the event loop answered c2");
        send("AGFsaWNlAGFsaWNl\r\nc5 NOOP\r\n");
        held.runAll(channel);
        assertEquals("c4 OK got AGFsaWNlAGFsaWNl\r\nc5 OK Completed\r\n", received(),
                "the line after the continuation request went to c4");

        held.executed = 0;
        send("d1 LOGIN alice x\r\nd2 SELECT INBOX\r\nd3 LOGIN bob x\r\nd4 NOOP\r\n");
        held.runAll(channel);
        assertEquals("d1 OK logged in\r\nd2 OK [READ-WRITE] selected INBOX\r\nd3 BAD Already logged in\r\n"
                + "d4 OK Completed\r\n", received(), "each command is checked against the state the one before left");
        assertEquals(2, held.executed);
    }

    @Test
    void logoutClosesAfterTheReply() {
        received();
        send("z1 LOGOUT\r\nz2 NOOP\r\n");
        assertEquals("* BYE bye\r\nz1 OK Completed\r\n", received());
        assertFalse(channel.isActive());
        assertNull(channel.readOutbound());
    }
}
