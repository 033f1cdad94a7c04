package org.corvid.jca.api.backend;

import jakarta.resource.ResourceException;
import java.io.Serializable;

/**
 * The adapter's pool of client connections from a frontend to its backends (bound at {@value #JNDI_NAME}):
 * TCP connections kept per backend address and protocol, handed out one caller at a time. What the protocol
 * did on a connection (greeting read, logged in) is the caller's business: it gives a connection back only in
 * a state the next caller can start from (IMAP: not authenticated, after {@code UNAUTHENTICATE}; LMTP: after
 * a finished transaction), and {@link BackendConnection#discard()}s it otherwise.
 */
public interface BackendConnectionFactory extends Serializable, jakarta.resource.Referenceable {
    String JNDI_NAME = "java:/corvid/BackendConnectionFactory";

    /**
     * An idle connection to {@code host:port} for {@code protocol} ({@code imap}, {@code lmtp}, {@code pop3}),
     * or a new one (connect timeout 5 s).
     */
    BackendConnection connect(String protocol, String host, int port) throws ResourceException;
}
