package org.corvid.jca.api;

/**
 * Live view of one protocol listener, registered by the adapter as
 * {@code org.corvid:type=Listener,protocol=<imap|lmtp|pop3|mupdate>,port=<port>} in the platform MBean server.
 */
public interface ListenerMXBean {
    String OBJECT_NAME_PATTERN = "org.corvid:type=Listener,*";

    static String objectName(Protocol protocol, int port) {
        return "org.corvid:type=Listener,protocol=" + protocol.name().toLowerCase(java.util.Locale.ROOT)
                + ",port=" + port;
    }

    String getProtocol();

    String getBindAddress();

    int getPort();

    boolean isTls();

    /** Connections open now. */
    int getOpenConnections();

    /** Connections accepted since the listener started. */
    long getAcceptedConnections();

    /** Commands dispatched to the bean since the listener started. */
    long getCommands();

    /** Connections refused because the listener was at its connection limit. */
    long getRejectedConnections();
}
