package org.corvid.ejb.jmx;

/**
 * {@code org.corvid:type=Traffic,protocol=<imap|pop3|lmtp|mupdate>,role=<frontend|backend|mupdate>}: the
 * commands one role of this node serves in one protocol. On a node that is both frontend and backend, the
 * frontend's commands are those relayed to another backend and the backend's the others.
 */
public interface TrafficMXBean {
    static String objectName(String protocol, String role) {
        return "org.corvid:type=Traffic,protocol=" + protocol + ",role=" + role;
    }

    String getProtocol();

    String getRole();

    /** Client connections open now on this protocol's listeners (the node's, whatever role serves them). */
    int getClientConnections();

    /** Commands served since the start (an LMTP transaction relayed to a backend counts as one). */
    long getCommands();

    /** Commands per second over the last minute. */
    double getCommandsPerSecond();
}
