package org.corvid.ejb.move;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.resource.ResourceException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.corvid.ejb.backend.MailboxNames;
import org.corvid.ejb.frontend.BackendAddresses;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.jca.api.mupdate.MupdateConnection;
import org.corvid.jca.api.mupdate.MupdateConnectionFactory;
import org.corvid.jca.api.mupdate.MupdateEntry;
import org.corvid.persistence.mailstore.MoveJob;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * Runs the moves whose source is this backend. A move copies its mailboxes to the destination while they stay
 * live (batches of {@value #BATCH} messages, then rounds of catching up), then its final phase: the names are
 * DEACTIVATEd at the master (RESERVED: frontends hold deliveries), deliveries here wait ({@link MoveFence}), and
 * {@link MoveSwitch} sends the last changes and switches in one transaction. Any failure before the switch rolls
 * back: the names are ACTIVATEd here again and the destination drops what it got. At start, unfinished jobs
 * resume (copying), are finished (switched) or rolled back (interrupted in their final phase).
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@PermitAll
@SecurityDomain("corvid")
public class MoveRunner {
    private static final Logger LOG = Logger.getLogger(MoveRunner.class);
    static final int BATCH = 500;
    private static final int MAX_ROUNDS = 5;
    /** A catch-up round that sent fewer new messages than this ends the copy phase. */
    private static final int SMALL_ROUND = 50;
    private static final Duration RETRY = Duration.ofSeconds(5);

    @Resource
    private ManagedExecutorService executor;

    @Resource(lookup = MupdateConnectionFactory.JNDI_NAME)
    private MupdateConnectionFactory master;

    @EJB
    private MoveJobs jobs;

    @EJB
    private MoveStore store;

    @EJB
    private MoveSwitch switcher;

    @EJB
    private MoveFence fence;

    @EJB
    private NodeConfig node;

    @EJB
    private LocationCache locations;

    private final Map<String, Run> running = new ConcurrentHashMap<>();

    /** How far the destination has one mailbox: messages up to {@code uid}, changes up to {@code modseq}, {@code acl}. */
    static final class Copied {
        long uid;
        long modseq;
        String acl;

        Copied(long uid, long modseq, String acl) {
            this.uid = uid;
            this.modseq = modseq;
            this.acl = acl;
        }
    }

    /** A refused move request, with the IMAP response code that says why. */
    public static class Refused extends Exception {
        private final String code;

        Refused(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** A running move: what it moves where, how far each mailbox got, and its live progress. */
    public static final class Run {
        final String id;
        final String mailbox;
        final boolean wholeUser;
        final String target;
        final String partition;
        /** Per mailbox: how far the destination has it. */
        final Map<String, Copied> copied = new ConcurrentHashMap<>();
        /** Completes when the outcome is known to users: switched, or back at the source (cleanup may go on). */
        final CompletableFuture<Void> settled = new CompletableFuture<>();
        final long startNanos = System.nanoTime();
        volatile boolean cancelled;
        volatile String phase = MoveJob.State.QUEUED.name();
        volatile long messages;
        volatile long bytes;
        volatile long messagesTotal;
        private MoveJobs jobs;
        private long persistedAt;

        Run(MoveJobs.View job) {
            this.id = job.id();
            this.mailbox = job.mailbox();
            this.wholeUser = job.wholeUser();
            this.target = job.target();
            this.partition = job.targetPartition() != null ? job.targetPartition() : "default";
            this.messages = job.messagesCopied();
            this.bytes = job.bytesCopied();
        }

        /**
         * Sends the messages of {@code name} beyond what the destination has, and adds its changes since the last
         * round to {@code changes} if it changed (every change raises HIGHESTMODSEQ; an ACL is compared). Returns
         * the number of messages sent.
         */
        int catchUp(MoveStore store, MoveTarget target, String name, List<MoveStore.Changes> changes) throws IOException {
            Copied state = copied.get(name);
            int sent = 0;
            while (!cancelled) {
                List<MoveStore.Outgoing> batch = store.batch(name, state.uid, BATCH);
                if (batch.isEmpty()) {
                    break;
                }
                target.send(id, name, batch);
                state.uid = batch.get(batch.size() - 1).header().uid();
                sent += batch.size();
                messages += batch.size();
                bytes += batch.stream().mapToLong(o -> o.header().size()).sum();
                persistProgress(false);
            }
            MoveStore.Changes c = store.changes(name, state.modseq, state.uid);
            if (c != null && (sent > 0 || c.highestModseq() > state.modseq || !c.acl().equals(state.acl))) {
                changes.add(c);
                state.modseq = c.highestModseq();
                state.acl = c.acl();
            }
            return sent;
        }

        /** One round over every mailbox: new messages, then all their changes in one call. */
        int round(MoveStore store, MoveTarget target) throws IOException {
            List<MoveStore.Changes> changes = new java.util.ArrayList<>();
            int sent = 0;
            for (String name : List.copyOf(copied.keySet())) {
                sent += catchUp(store, target, name, changes);
            }
            if (!changes.isEmpty()) {
                target.apply(id, changes);
            }
            return sent;
        }

        private void persistProgress(boolean now) {
            long t = System.nanoTime();
            if (jobs != null && (now || t - persistedAt > 2_000_000_000L)) {
                persistedAt = t;
                jobs.progress(id, messages, bytes);
            }
        }
    }

    @PostConstruct
    void resume() {
        if (!node.has(NodeConfig.Role.BACKEND)) {
            return;
        }
        for (MoveJobs.View job : jobs.unfinished()) {
            LOG.infof("move %s of %s (%s) was interrupted; resuming", job.id(), job.mailbox(), job.state());
            submit(job);
        }
    }

    /**
     * Starts moving {@code mailbox} (a user's INBOX: the whole user) to {@code server}, partition
     * {@code partition} (null: the destination's default), for {@code caller}; returns the queued job.
     */
    public MoveJobs.View start(String mailbox, String server, String partition, String caller) throws Refused {
        if (!node.has(NodeConfig.Role.BACKEND) || store.mailboxes(mailbox, false).isEmpty()) {
            throw new Refused("NONEXISTENT", "Mailbox " + mailbox + " does not exist on " + node.serverName());
        }
        if (server.equalsIgnoreCase(node.serverName())) {
            throw new Refused("CANNOT", "The mailbox is on " + server + " already");
        }
        if (!known(server)) {
            throw new Refused("CANNOT", "Unknown server " + server);
        }
        String owner = MailboxNames.ownerOf(mailbox);
        boolean wholeUser = MailboxNames.isUserInbox(mailbox);
        if (owner != null && !wholeUser) {
            throw new Refused("CANNOT", "A user's folder moves with its user: move user." + owner);
        }
        if (owner != null && owner.equals(caller)) {
            throw new Refused("CANNOT", "You cannot move your own INBOX while logged in");
        }
        MoveJobs.View job = jobs.create(mailbox, wholeUser, node.serverName(), server, partition, caller);
        if (job == null) {
            throw new Refused("INUSE", "A move of " + mailbox + " (or of a mailbox above or under it) is under way");
        }
        LOG.infof("move %s: %s to %s%s requested by %s", job.id(), mailbox, server,
                partition == null ? "" : "!" + partition, caller);
        submit(job);
        return job;
    }

    private boolean known(String server) {
        return BackendAddresses.configured().stream().anyMatch(server::equalsIgnoreCase)
                || locations.countsByServer().keySet().stream().anyMatch(server::equalsIgnoreCase);
    }

    /**
     * Waits up to {@code max} for the move to settle (done, or rolled back at least as far as the master: the
     * mailbox is usable at the source again); its job as it is then.
     */
    public MoveJobs.View await(String id, Duration max) {
        Run run = running.get(id);
        if (run != null) {
            try {
                run.settled.get(max.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return jobs.find(id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                // the job's own record says how it ended
            }
        }
        return jobs.find(id);
    }

    /** True once the move's outcome is known to users (see {@link #await}). */
    public boolean settled(String id) {
        Run run = running.get(id);
        return run == null || run.settled.isDone();
    }

    /** Asks a running move to stop; only a move still copying can (it then rolls back). */
    public boolean cancel(String id) {
        Run run = running.get(id);
        if (run == null || !(MoveJob.State.QUEUED.name().equals(run.phase) || MoveJob.State.COPYING.name().equals(run.phase))) {
            return false;
        }
        run.cancelled = true;
        return true;
    }

    /** A running move as JMX shows it. */
    public record Live(String id, String mailbox, String source, String target, String phase, long messages,
                       long messagesTotal, long bytes) {
    }

    /** The moves running now. */
    public List<Live> running() {
        return running.values().stream().map(r -> new Live(r.id, r.mailbox, node.serverName(), r.target, r.phase,
                r.messages, Math.max(r.messages, r.messagesTotal), r.bytes)).toList();
    }

    /** The live progress of a running move: {messages, bytes, elapsed millis}, or empty. */
    public Optional<long[]> progress(String id) {
        Run run = running.get(id);
        return run == null ? Optional.empty()
                : Optional.of(new long[] {run.messages, run.bytes, (System.nanoTime() - run.startNanos) / 1_000_000});
    }

    private void submit(MoveJobs.View job) {
        Run run = new Run(job);
        run.jobs = jobs;
        running.put(run.id, run);
        executor.submit(() -> {
            try {
                run(run, job.state());
            } catch (RuntimeException e) {
                LOG.errorf(e, "move %s failed unexpectedly", run.id);
            } finally {
                running.remove(run.id);
                run.settled.complete(null);
            }
        });
    }

    private MoveTarget target(Run run) {
        return new MoveTarget(run.target, System.getProperty("corvid.mupdate.user", ""),
                System.getProperty("corvid.mupdate.password", ""), executor);
    }

    private void run(Run run, MoveJob.State from) {
        MoveTarget target = target(run);
        switch (from) {
            case SWITCHED -> cleanUp(run);
            case ROLLING_BACK -> rollBack(run, target, null);
            case FINAL -> {
                if (switchedAtMaster(run)) {
                    switcher.hideAfterSwitch(run, switchedNames(run), -1);
                    cleanUp(run);
                } else {
                    rollBack(run, target, "interrupted during its final phase");
                }
            }
            default -> copyAndSwitch(run, target);
        }
    }

    private void copyAndSwitch(Run run, MoveTarget target) {
        List<MoveStore.MailboxMeta> boxes = store.mailboxes(run.mailbox, run.wholeUser);
        boolean deactivated = false;
        try {
            if (boxes.isEmpty()) {
                throw new IllegalStateException(run.mailbox + " no longer exists here");
            }
            phase(run, MoveJob.State.COPYING);
            run.messagesTotal = boxes.stream().mapToLong(MoveStore.MailboxMeta::messages).sum();
            jobs.totals(run.id, run.messagesTotal, boxes.stream().mapToLong(MoveStore.MailboxMeta::bytes).sum());
            Map<String, Long> there = target.stage(run.id, run.partition, boxes);
            for (MoveStore.MailboxMeta b : boxes) {
                long last = there.getOrDefault(b.name(), 0L);
                // a mailbox staged just now has the source's counters and ACL; a resumed one is checked whole
                run.copied.put(b.name(), last == 0 ? new Copied(0, b.highestModseq(), b.acl()) : new Copied(last, 0, ""));
            }
            run.messages = 0;
            run.bytes = 0;
            for (int round = 0; round < MAX_ROUNDS; round++) {
                int sent = run.round(store, target);
                if (run.cancelled) {
                    throw new IllegalStateException("cancelled");
                }
                if (round > 0 && sent < SMALL_ROUND) {
                    break;
                }
            }
            run.persistProgress(true);
            // final phase: RESERVED at the master, deliveries held, then the switch in one transaction
            phase(run, MoveJob.State.FINAL);
            List<MoveStore.MailboxMeta> now = store.mailboxes(run.mailbox, run.wholeUser);
            now.forEach(b -> fence.freeze(b.name()));
            fence.freeze(run.mailbox);
            long start = System.nanoTime();
            try {
                deactivated = true;
                try (MupdateConnection m = master.getConnection()) {
                    for (MoveStore.MailboxMeta b : now) {
                        m.deactivate(b.name(), node.serverName() + "!" + b.partition());
                    }
                }
                try {
                    switcher.finish(run, target, start);
                } catch (RuntimeException | IOException e) {
                    if (!switchedAtMaster(run)) {
                        throw e;
                    }
                    // the destination switched but its answer was lost: finish the switch here
                    LOG.warnf("move %s: the destination switched, its answer was lost (%s)", run.id, e.getMessage());
                    switcher.hideAfterSwitch(run, switchedNames(run), (System.nanoTime() - start) / 1_000_000);
                }
                LOG.infof("move %s: %s switched to %s after a final phase of %d ms", run.id, run.mailbox, run.target,
                        (System.nanoTime() - start) / 1_000_000);
                run.settled.complete(null);
            } finally {
                now.forEach(b -> fence.thaw(b.name()));
                fence.thaw(run.mailbox);
            }
        } catch (ResourceException | IOException | RuntimeException e) {
            LOG.warnf("move %s of %s failed: %s", run.id, run.mailbox, e.getMessage());
            rollBack(run, target, describe(e, deactivated));
            return;
        }
        cleanUp(run);
    }

    private static String describe(Exception e, boolean deactivated) {
        String what = e instanceof ResourceException ? "MUPDATE master unavailable: " : "";
        return (deactivated ? "final phase failed: " : "copy failed: ") + what + e.getMessage();
    }

    /** True if the master has every mailbox of the move ACTIVE at the destination. */
    private boolean switchedAtMaster(Run run) {
        List<String> names = switchedNames(run);
        if (names.isEmpty()) {
            return false;
        }
        try (MupdateConnection m = master.getConnection()) {
            for (String name : names) {
                Optional<MupdateEntry> e = m.find(name);
                if (e.isEmpty() || e.get().kind() != MupdateEntry.Kind.MAILBOX || !run.target.equalsIgnoreCase(e.get().server())) {
                    return false;
                }
            }
            return true;
        } catch (ResourceException e) {
            throw new IllegalStateException("MUPDATE master unavailable: " + e.getMessage(), e);
        }
    }

    /** The move's mailboxes still visible here (before the switch). */
    private List<String> switchedNames(Run run) {
        return store.mailboxes(run.mailbox, run.wholeUser).stream().map(MoveStore.MailboxMeta::name).toList();
    }

    /**
     * Puts everything back: the names ACTIVE here at the master, the destination's staged copy dropped. Retried
     * until both succeed (the job stays ROLLING_BACK meanwhile, and across restarts).
     */
    private void rollBack(Run run, MoveTarget target, String reason) {
        phase(run, MoveJob.State.ROLLING_BACK, reason);
        boolean restored = false;
        for (int attempt = 0; ; attempt++) {
            try {
                if (!restored) {
                    try (MupdateConnection m = master.getConnection()) {
                        for (MoveStore.MailboxMeta b : store.mailboxes(run.mailbox, run.wholeUser)) {
                            Optional<MupdateEntry> e = m.find(b.name());
                            if (e.isEmpty() || e.get().kind() != MupdateEntry.Kind.MAILBOX
                                    || !node.serverName().equalsIgnoreCase(e.get().server())) {
                                m.activate(b.name(), node.serverName() + "!" + b.partition(), b.acl());
                            }
                        }
                    }
                    restored = true;
                    run.settled.complete(null); // the mailbox is usable here again; the destination may still hold debris
                }
                target.abort(run.id);
                phase(run, MoveJob.State.FAILED);
                LOG.infof("move %s rolled back: %s stays on %s", run.id, run.mailbox, node.serverName());
                return;
            } catch (ResourceException | IOException | RuntimeException e) {
                if (attempt == 0 || attempt % 12 == 0) {
                    LOG.warnf("move %s: rollback not complete yet (%s %s); retrying every %d s", run.id,
                            restored ? "destination not cleaned:" : "master not restored:", e.getMessage(), RETRY.toSeconds());
                }
                if (!sleep(RETRY)) {
                    return;
                }
            }
        }
    }

    /** After the switch: the source's hidden copy goes. */
    private void cleanUp(Run run) {
        int removed = store.discard(run.id);
        phase(run, MoveJob.State.DONE);
        LOG.infof("move %s of %s to %s done (%d mailboxes removed here)", run.id, run.mailbox, run.target, removed);
    }

    private void phase(Run run, MoveJob.State state) {
        phase(run, state, null);
    }

    private void phase(Run run, MoveJob.State state, String error) {
        run.phase = state.name();
        run.persistProgress(true);
        jobs.state(run.id, state, error);
    }

    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
