package org.corvid.ejb.jmx;

/** {@code org.corvid:type=Mupdate}: this node's MUPDATE side. */
public interface MupdateMXBean {
    String OBJECT_NAME = "org.corvid:type=Mupdate";

    /** {@code master}, {@code slave} or {@code none}. */
    String getMode();

    /** The master this node's MUPDATE client talks to. */
    String getMaster();

    /** Entries in this node's location cache (the list as this node has it). */
    long getListSize();

    /** True once a slave holds the master's whole list (always on the master). */
    boolean isSynced();

    /** UPDATE clients streaming from this node. */
    int getStreamingClients();

    /** One line per UPDATE client: address, user, changes sent, bytes it has not taken yet (its lag). */
    String[] getStreams();
}
