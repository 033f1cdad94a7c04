package org.corvid.ejb.jmx;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import java.lang.management.ManagementFactory;
import java.util.List;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.move.MoveJobs;
import org.corvid.ejb.move.MoveRunner;
import org.corvid.ejb.node.NodeStatusService;
import org.corvid.persistence.mailstore.MoveJob;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * Registers Corvid's MBeans beside the adapter's listener MBeans in the platform MBean server (domain
 * {@code org.corvid}), where JConsole, WildFly's JMX remoting ({@code service:jmx:remote+http://host:9990}) and
 * {@code /api/health} read them: {@link MovesMXBean} and {@link MupdateMXBean}.
 */
@Singleton
@Startup
@DependsOn("MoveRunner")
@PermitAll
@SecurityDomain("corvid")
public class CorvidMBeans {
    private static final Logger LOG = Logger.getLogger(CorvidMBeans.class);

    @EJB
    private MoveRunner runner;

    @EJB
    private MoveJobs jobs;

    @EJB
    private NodeStatusService status;

    @EJB
    private LocationCache locations;

    @EJB
    private org.corvid.ejb.mupdate.MupdateChanges changes;

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @PostConstruct
    void register() {
        register(MovesMXBean.OBJECT_NAME, new Moves());
        register(MupdateMXBean.OBJECT_NAME, new Mupdate());
    }

    @PreDestroy
    void unregister() {
        for (String name : List.of(MovesMXBean.OBJECT_NAME, MupdateMXBean.OBJECT_NAME)) {
            try {
                server.unregisterMBean(new ObjectName(name));
            } catch (JMException e) {
                LOG.debugf("MBean %s: %s", name, e.getMessage());
            }
        }
    }

    private void register(String name, Object mbean) {
        try {
            ObjectName on = new ObjectName(name);
            if (server.isRegistered(on)) { // left by a deployment that did not end cleanly
                server.unregisterMBean(on);
            }
            server.registerMBean(mbean, on);
        } catch (JMException e) {
            LOG.warnf("MBean %s not registered: %s", name, e.getMessage());
        }
    }

    private final class Moves implements MovesMXBean {
        @Override
        public int getRunning() {
            return runner.running().size();
        }

        @Override
        public String[] getRunningMoves() {
            return runner.running().stream().map(r -> r.id() + " " + r.mailbox() + " " + r.source() + "->" + r.target()
                    + " " + r.phase() + " " + r.messages() + "/" + r.messagesTotal() + " messages, " + r.bytes() + " bytes")
                    .toArray(String[]::new);
        }

        @Override
        public long getMessagesCopied() {
            return runner.running().stream().mapToLong(MoveRunner.Live::messages).sum();
        }

        @Override
        public long getBytesCopied() {
            return runner.running().stream().mapToLong(MoveRunner.Live::bytes).sum();
        }

        @Override
        public int getRecentDone() {
            return (int) jobs.recent(100).stream().filter(j -> j.state() == MoveJob.State.DONE).count();
        }

        @Override
        public int getRecentFailed() {
            return (int) jobs.recent(100).stream().filter(j -> j.state() == MoveJob.State.FAILED).count();
        }

        @Override
        public long getLongestFinalPhaseMillis() {
            return jobs.recent(100).stream().filter(j -> j.finalPhaseMillis() != null)
                    .mapToLong(MoveJobs.View::finalPhaseMillis).max().orElse(-1);
        }
    }

    private final class Mupdate implements MupdateMXBean {
        @Override
        public String getMode() {
            return status.mupdate().mode();
        }

        @Override
        public String getMaster() {
            return status.mupdate().master();
        }

        @Override
        public long getListSize() {
            return locations.size();
        }

        @Override
        public boolean isSynced() {
            return status.mupdate().synced();
        }

        @Override
        public int getStreamingClients() {
            return status.mupdate().streamingClients();
        }

        @Override
        public String[] getStreams() {
            return changes.streams().stream().map(s -> s.client() + " " + s.user() + " since " + s.since() + ": "
                    + s.changesSent() + " changes sent, " + s.pendingBytes() + " bytes pending"
                    + (s.dumping() ? ", dumping (" + s.changesBuffered() + " changes held)" : "")).toArray(String[]::new);
        }
    }
}
