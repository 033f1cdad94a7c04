package org.corvid.jca.api.mupdate;

/**
 * Receives a master's list and its changes from a {@link MupdateSubscription}, on the subscription's one
 * thread, in the master's order. After every (re)connection the master sends its whole list again: between
 * {@link #resyncStarted()} and {@link #resyncComplete()} come all current entries (never DELETE); an entry
 * held before and not sent again is gone. After that, each change as the master streams it.
 */
public interface MupdateSubscriber {
    void resyncStarted();

    void entry(MupdateEntry entry);

    void resyncComplete();

    /** The stream broke (master gone, network, refused login); the subscription reconnects with backoff. */
    void disconnected(String reason);
}
