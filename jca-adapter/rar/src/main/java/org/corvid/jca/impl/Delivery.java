package org.corvid.jca.impl;

import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.wildfly.security.auth.server.SecurityIdentity;

/**
 * Invokes one bean method on a fresh endpoint, the JCA way: {@code createEndpoint → beforeDelivery →
 * invoke → afterDelivery → release}, as the connection's authenticated identity if it has one. Endpoints
 * are never shared between concurrent deliveries.
 */
final class Delivery {
    private final MessageEndpointFactory factory;
    private final ExecutorService executor;

    Delivery(MessageEndpointFactory factory, ExecutorService executor) {
        this.factory = factory;
        this.executor = executor;
    }

    /** Runs {@code task} (which calls {@link #run}) on a dispatch thread. */
    void execute(Runnable task) throws RejectedExecutionException {
        executor.execute(task);
    }

    /** Invokes the method on this thread, as {@code identity} if not null; returns the failure, or null. */
    Throwable run(Method method, Object[] args, SecurityIdentity identity) {
        try {
            if (identity == null) {
                invoke(method, args);
            } else {
                identity.runAs((PrivilegedExceptionAction<Void>) () -> {
                    invoke(method, args);
                    return null;
                });
            }
            return null;
        } catch (PrivilegedActionException e) {
            return e.getCause();
        } catch (Throwable t) {
            return t;
        }
    }

    private void invoke(Method method, Object[] args) throws Exception {
        MessageEndpoint endpoint = factory.createEndpoint(null);
        try {
            endpoint.beforeDelivery(method);
            try {
                method.invoke(endpoint, args);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            } finally {
                endpoint.afterDelivery();
            }
        } finally {
            endpoint.release();
        }
    }
}
