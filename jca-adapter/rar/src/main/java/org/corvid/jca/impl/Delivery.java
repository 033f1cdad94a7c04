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

    /**
     * Schedules the invocation; on the invoking thread, {@code start} runs first and {@code done} afterwards
     * with the failure, or null.
     */
    void submit(Method method, Object[] args, SecurityIdentity identity, Runnable start,
                java.util.function.Consumer<Throwable> done) throws RejectedExecutionException {
        executor.execute(() -> {
            start.run();
            Throwable failure = null;
            try {
                if (identity == null) {
                    invoke(method, args);
                } else {
                    identity.runAs((PrivilegedExceptionAction<Void>) () -> {
                        invoke(method, args);
                        return null;
                    });
                }
            } catch (PrivilegedActionException e) {
                failure = e.getCause();
            } catch (Throwable t) {
                failure = t;
            }
            done.accept(failure);
        });
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
