package org.corvid.jca.api.mupdate;

import jakarta.resource.ResourceException;
import java.io.Serializable;
import java.util.Set;

/**
 * The adapter's outbound MUPDATE client (bound at {@value #JNDI_NAME}): pooled connections authenticated to
 * the configured master for request/answer commands, and UPDATE subscriptions that reconnect by themselves.
 * The master and credentials come from {@code corvid.mupdate.master}, {@code corvid.mupdate.user},
 * {@code corvid.mupdate.password} (see docs/configuration.md).
 */
public interface MupdateConnectionFactory extends Serializable, jakarta.resource.Referenceable {
    String JNDI_NAME = "java:/corvid/MupdateConnectionFactory";

    /** A connection from the pool (opened and authenticated if none is idle). */
    MupdateConnection getConnection() throws ResourceException;

    /**
     * Starts {@code UPDATE [hosts...]} on a connection of its own and feeds {@code subscriber} on a thread of
     * the adapter; reconnects with backoff (1 s doubling to 30 s) and resyncs fully after every reconnection.
     */
    MupdateSubscription subscribe(Set<String> hosts, MupdateSubscriber subscriber);

    /** The master, {@code host:port}. */
    String master();
}
