package org.corvid.ejb.node;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.mupdate.MupdateChanges;
import org.corvid.ejb.mupdate.MupdateSlave;
import org.corvid.jca.api.ListenerMXBean;
import org.corvid.persistence.mailstore.Mailbox;
import org.corvid.persistence.migration.SchemaMigrations;
import org.corvid.persistence.mupdate.MailboxLocation;
import org.jboss.ejb3.annotation.SecurityDomain;

/** Builds this node's status from live data: its configuration, the adapter's listener MBeans, the schemas. */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class NodeStatusService {
    @EJB
    private NodeConfig node;

    @EJB
    private org.corvid.ejb.cluster.MasterRole master;

    @EJB
    private SchemaMigrator schemas;

    @EJB
    private LocationCache locations;

    @EJB
    private MupdateSlave slave;

    @EJB
    private MupdateChanges changes;

    @PersistenceContext(unitName = "mupdate")
    private EntityManager mupdate;

    @PersistenceContext(unitName = "mailstore")
    private EntityManager mailstore;

    /** Without a transaction: the two units sit on two (non-XA) datasources and are only read. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public NodeStatus status() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new NodeStatus(node.serverName(), node.version(),
                node.roles().stream().map(NodeConfig.Role::label).sorted().toList(),
                node.dataDir().toString(), listeners(), schemas.versions(), mailboxCounts(), mupdate(),
                new NodeStatus.Jvm(heap.getUsed(), heap.getCommitted(), heap.getMax()));
    }

    /**
     * Mailboxes known to the master's list and held by this backend, through JPA (this also proves each
     * persistence unit's mapping matches the Flyway schema: reading an entity touches every mapped column),
     * and entries in the location cache.
     */
    private Map<String, Long> mailboxCounts() {
        mupdate.createQuery("select l from MailboxLocation l", MailboxLocation.class).setMaxResults(1).getResultList();
        mailstore.createQuery("select m from Mailbox m", Mailbox.class).setMaxResults(1).getResultList();
        return Map.of(SchemaMigrations.MUPDATE, mupdate.createNamedQuery(MailboxLocation.COUNT, Long.class).getSingleResult(),
                SchemaMigrations.MAILSTORE, mailstore.createNamedQuery(Mailbox.COUNT, Long.class).getSingleResult(),
                "corvid-locations", locations.size());
    }

    /** This node's MUPDATE side, alone (cheap: no database). */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public NodeStatus.Mupdate mupdate() {
        String mode = master.clustered() ? (master.active() ? "master" : "standby")
                : node.has(NodeConfig.Role.MUPDATE) ? "master" : slave.active() ? "slave" : "none";
        var lease = master.holder();
        String masterAt = master.clustered() ? (lease == null || lease.node().isEmpty() ? null
                : lease.node() + "@" + lease.address()) : slave.master();
        return new NodeStatus.Mupdate(mode, masterAt, node.has(NodeConfig.Role.MUPDATE) || slave.synced(),
                changes.streamingClients(), master.clustered() ? locations.members() : List.of(),
                locations.isCutOff());
    }

    private static List<NodeStatus.ListenerStatus> listeners() {
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        try {
            return mbeans.queryNames(new ObjectName(ListenerMXBean.OBJECT_NAME_PATTERN), null).stream()
                    .map(name -> JMX.newMXBeanProxy(mbeans, name, ListenerMXBean.class))
                    .map(l -> new NodeStatus.ListenerStatus(l.getProtocol(), l.getBindAddress(), l.getPort(),
                            l.isTls(), l.getOpenConnections(), l.getAcceptedConnections(), l.getCommands()))
                    .sorted(Comparator.comparingInt(NodeStatus.ListenerStatus::port))
                    .toList();
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }
}
