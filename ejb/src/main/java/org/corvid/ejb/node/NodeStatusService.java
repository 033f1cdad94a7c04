package org.corvid.ejb.node;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Comparator;
import java.util.List;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.corvid.jca.api.ListenerMXBean;
import org.jboss.ejb3.annotation.SecurityDomain;

/** Builds this node's status from live data: its configuration, the adapter's listener MBeans, the schemas. */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class NodeStatusService {
    @EJB
    private NodeConfig node;

    @EJB
    private SchemaMigrator schemas;

    public NodeStatus status() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new NodeStatus(node.serverName(), node.version(),
                node.roles().stream().map(NodeConfig.Role::label).sorted().toList(),
                node.dataDir().toString(), listeners(), schemas.versions(),
                new NodeStatus.Jvm(heap.getUsed(), heap.getCommitted(), heap.getMax()));
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
