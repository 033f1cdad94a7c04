package org.corvid.ejb.cluster;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jboss.msc.Service;
import org.jboss.msc.service.ServiceActivatorContext;
import org.jboss.msc.service.ServiceName;
import org.jboss.msc.service.StartContext;
import org.jboss.msc.service.StopContext;
import org.wildfly.clustering.server.GroupMember;
import org.wildfly.clustering.singleton.election.SingletonElectionPolicy;
import org.wildfly.clustering.singleton.service.SingletonServiceActivator;
import org.wildfly.clustering.singleton.service.SingletonServiceActivatorContext;

/**
 * The WildFly HA singleton that elects the node allowed to be the MUPDATE master (singleton policy
 * {@code corvid.cluster.singleton-policy}, default: the server's default policy). It only runs with
 * {@code corvid.cluster=true}: a single node or a discrete murder has no cluster to elect in.
 * <p>
 * The election alone does not make a master: {@link MasterRole} then takes the database lease, which fences a
 * node that still believes it was elected (frozen, partitioned) from the list. The MSC service and the beans
 * live in this deployment's module, so the service hands its state over through a static listener.
 */
public class MasterElection implements SingletonServiceActivator {
    private static final ServiceName NAME = ServiceName.parse("org.corvid.mupdate.master");
    private static Consumer<Boolean> listener; // guarded by MasterElection.class
    private static boolean elected;            // guarded by MasterElection.class

    /** True if this node runs in a cluster ({@code corvid.cluster=true}, set by use-cluster.cli). */
    public static boolean clustered() {
        return Boolean.parseBoolean(System.getProperty("corvid.cluster", "false"));
    }

    @Override
    public void activate(ServiceActivatorContext context) {
        if (clustered()) {
            SingletonServiceActivator.super.activate(context);
        }
    }

    @Override
    public String getSingletonPolicy() {
        String policy = System.getProperty("corvid.cluster.singleton-policy", "");
        return policy.isBlank() ? null : policy;
    }

    /** The node holding the master lease now (see {@link #holder}). */
    private static volatile String holder = "";

    /** Tells the election which node holds the lease: it keeps the role there while that node is a candidate. */
    static void holder(String node) {
        holder = node == null ? "" : node;
    }

    @Override
    public void activate(SingletonServiceActivatorContext context) {
        // Sticky: a view change (a node joins, a split heals) must not move a healthy master; only its loss does.
        // Among the others, the oldest member, as the default policy.
        var policy = SingletonElectionPolicy.oldest().prefer(List.<Predicate<GroupMember>>of(m -> m.getName().equals(holder)));
        context.getServiceTarget().addService(NAME).withElectionPolicy(policy).setInstance(new Service() {
            @Override
            public void start(StartContext c) {
                set(true);
            }

            @Override
            public void stop(StopContext c) {
                set(false);
            }
        }).install();
    }

    private static synchronized void set(boolean now) {
        elected = now;
        if (listener != null) {
            listener.accept(now);
        }
    }

    /** {@code l} hears every change of the election (and at once, if this node is elected now); must not block. */
    static synchronized void listen(Consumer<Boolean> l) {
        listener = l;
        if (l != null && elected) {
            l.accept(true);
        }
    }
}
