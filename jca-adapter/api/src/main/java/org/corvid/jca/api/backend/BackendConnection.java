package org.corvid.jca.api.backend;

import java.nio.channels.SocketChannel;

/** A handle on one pooled connection to a backend; see {@link BackendConnectionFactory}. */
public interface BackendConnection extends AutoCloseable {
    /** The socket (blocking; a caller that makes it non-blocking makes it blocking again before it closes). */
    SocketChannel channel();

    /**
     * True if the connection was opened for this caller (the backend's greeting is still to be read); false
     * if it comes from the pool, in the state its last caller left it.
     */
    boolean fresh();

    /** Back to the pool, for the next caller to the same backend. */
    @Override
    void close();

    /** Closed for good: broken, or in a state no other caller can start from. */
    void discard();
}
