package org.corvid.ejb.backend;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.resource.ResourceException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.jca.api.mupdate.MupdateConnection;
import org.corvid.jca.api.mupdate.MupdateConnectionFactory;
import org.corvid.jca.api.mupdate.MupdateEntry;
import org.corvid.jca.api.mupdate.MupdateReply;
import org.corvid.jca.api.mupdate.MupdateWrite;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * Brings the master's list in line with this backend's mailboxes, with Cyrus {@code ctl_mboxlist -m}
 * semantics: ACTIVATE what the master lacks (or holds RESERVED, or with another ACL), DELETE master entries
 * placed on this server that do not exist here, and only REPORT (never delete) local mailboxes the master
 * places on another server. Runs once at start (retrying until the master answers) and on demand, with a
 * dry run that only returns the plan.
 */
@Singleton
@Startup
@DependsOn({"SchemaMigrator", "NodeConfig"})
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class BackendResync {
    private static final Logger LOG = Logger.getLogger(BackendResync.class);

    /** One step of the plan. */
    public record Step(Action action, String mailbox, String detail) {
        public enum Action { ACTIVATE, DELETE, REPORT }
    }

    @Resource(lookup = MupdateConnectionFactory.JNDI_NAME)
    private MupdateConnectionFactory master;

    @Resource
    private ManagedScheduledExecutorService scheduler;

    @EJB
    private MailboxStore store;

    @EJB
    private NodeConfig node;

    @EJB
    private org.corvid.ejb.move.MoveFence fence;

    @PostConstruct
    void atStart() {
        if (node.has(NodeConfig.Role.BACKEND) && Boolean.parseBoolean(System.getProperty("corvid.backend.resync-at-start", "true"))) {
            scheduler.schedule(() -> attempt(1), 2, TimeUnit.SECONDS);
        }
    }

    private void attempt(int n) {
        try {
            List<Step> done = run(false);
            LOG.infof("resync with the MUPDATE master %s: %d change(s) %s", master.master(), done.size(), done);
        } catch (ResourceException e) {
            long delay = Math.min(60, 1L << Math.min(n, 6));
            LOG.infof("resync with the MUPDATE master postponed %d s: %s", delay, e.getMessage());
            scheduler.schedule(() -> attempt(n + 1), delay, TimeUnit.SECONDS);
        }
    }

    /** Computes the plan and, unless {@code dryRun}, carries it out; returns the steps. */
    public List<Step> run(boolean dryRun) throws ResourceException {
        String server = node.serverName();
        // moving names first: a move switching in between then shows in the second read, not in neither
        java.util.Set<String> moving = store.movingNames();
        Map<String, MailboxStore.Info> local = mailboxes();
        List<Step> plan = new ArrayList<>();
        try (MupdateConnection m = master.getConnection()) {
            Map<String, MupdateEntry> atMaster = new HashMap<>();
            m.list(null, e -> {
                if (local.containsKey(e.name()) || server.equals(e.server())) {
                    atMaster.put(e.name(), e);
                }
            });
            for (MailboxStore.Info mine : local.values()) {
                MupdateEntry e = atMaster.get(mine.name());
                String location = server + "!" + mine.partition();
                if (fence.frozen(mine.name())) { // RESERVED at the master by the move's final phase, on purpose
                    plan.add(new Step(Step.Action.REPORT, mine.name(), "in a move's final phase"));
                } else if (e != null && !server.equals(e.server())) {
                    plan.add(new Step(Step.Action.REPORT, mine.name(), "the master places it on " + e.location()));
                } else if (e == null || e.kind() != MupdateEntry.Kind.MAILBOX || !location.equals(e.location())
                        || !mine.acl().equals(e.acl())) {
                    plan.add(new Step(Step.Action.ACTIVATE, mine.name(), e == null ? "missing at the master"
                            : e.kind() == MupdateEntry.Kind.RESERVE ? "reserved at the master" : "differs at the master"));
                }
            }
            for (MupdateEntry e : atMaster.values()) {
                if (server.equals(e.server()) && !local.containsKey(e.name())) {
                    plan.add(moving.contains(e.name()) // a move copying it in (or that just took it away)
                            ? new Step(Step.Action.REPORT, e.name(), "being moved")
                            : new Step(Step.Action.DELETE, e.name(), "not on this server"));
                }
            }
            if (!dryRun) {
                // the plan checked again against the store before it is sent: a move may have switched meanwhile
                java.util.Set<String> movingNow = store.movingNames();
                Map<String, MailboxStore.Info> now = mailboxes();
                List<MupdateWrite> writes = new ArrayList<>();
                for (Step s : plan) {
                    switch (s.action()) {
                        case ACTIVATE -> {
                            MailboxStore.Info mine = now.get(s.mailbox());
                            if (mine != null && !fence.frozen(s.mailbox())) {
                                writes.add(MupdateWrite.activate(s.mailbox(), server + "!" + mine.partition(), mine.acl()));
                            }
                        }
                        case DELETE -> {
                            if (!now.containsKey(s.mailbox()) && !movingNow.contains(s.mailbox())) {
                                writes.add(MupdateWrite.delete(s.mailbox()));
                            }
                        }
                        case REPORT -> LOG.warnf("mailbox %s is on this server, but %s; left as it is", s.mailbox(), s.detail());
                    }
                }
                List<MupdateReply> replies = m.writeAll(writes);
                for (int i = 0; i < replies.size(); i++) {
                    if (!replies.get(i).ok()) {
                        LOG.warnf("resync: %s %s refused by the master: %s", writes.get(i).keyword(),
                                writes.get(i).args().get(0), replies.get(i));
                    }
                }
            }
        }
        return plan;
    }

    /** This backend's mailboxes by name (those a move is copying in are not among them). */
    private Map<String, MailboxStore.Info> mailboxes() {
        Map<String, MailboxStore.Info> byName = new HashMap<>();
        store.all().forEach(m -> byName.put(m.name(), m));
        return byName;
    }
}
