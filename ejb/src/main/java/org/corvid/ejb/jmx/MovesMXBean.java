package org.corvid.ejb.jmx;

/** {@code org.corvid:type=Moves}: the live moves this backend runs as their source, and its move history. */
public interface MovesMXBean {
    String OBJECT_NAME = "org.corvid:type=Moves";

    /** Moves running now. */
    int getRunning();

    /** One line per running move: {@code id mailbox source->target state copied/total messages, bytes}. */
    String[] getRunningMoves();

    /** Messages and bytes the running moves have copied so far. */
    long getMessagesCopied();

    long getBytesCopied();

    /** Of the latest 100 moves: how many finished DONE, FAILED, or are still unfinished. */
    int getRecentDone();

    int getRecentFailed();

    /** The longest final phase (RESERVED at the master) among the latest 100 moves, in ms; -1 if none. */
    long getLongestFinalPhaseMillis();
}
