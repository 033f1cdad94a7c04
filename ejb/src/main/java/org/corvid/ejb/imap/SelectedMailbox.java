package org.corvid.ejb.imap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.corvid.ejb.backend.MessageStore;

/**
 * A connection's view of its selected mailbox: the name, read-only or not, and the UIDs in message-number
 * order as this session last told the client (RFC 9051 2.3.1.2: numbers change only when the session reports
 * EXISTS/EXPUNGE), each with the MODSEQ of the flags the client was last told about (so other sessions' flag
 * changes can be reported as FETCH FLAGS). Kept in the connection's attributes.
 */
public final class SelectedMailbox {
    private final String name;
    private final boolean readOnly;
    private final List<Long> uids = new ArrayList<>();
    private final Map<Long, Known> known = new HashMap<>();

    /** What the client was last told of a message's flags (as the caller sees them: per-user \\Seen included). */
    private record Known(long modseq, Set<String> flags) {
    }

    /** @param messages the mailbox's messages, in UID order, as the client learns them now */
    SelectedMailbox(String name, boolean readOnly, List<MessageStore.Info> messages) {
        this.name = name;
        this.readOnly = readOnly;
        messages.forEach(this::add);
    }

    private void add(MessageStore.Info m) {
        uids.add(m.uid());
        known.put(m.uid(), new Known(m.modseq(), Set.copyOf(m.flags())));
    }

    String name() {
        return name;
    }

    boolean readOnly() {
        return readOnly;
    }

    synchronized int count() {
        return uids.size();
    }

    synchronized long uidAt(int messageNumber) {
        return uids.get(messageNumber - 1);
    }

    /** The message number of {@code uid}, or 0 if this session does not know it. */
    synchronized int numberOf(long uid) {
        int i = java.util.Collections.binarySearch(uids, uid);
        return i < 0 ? 0 : i + 1;
    }

    synchronized long largestUid() {
        return uids.isEmpty() ? 0 : uids.get(uids.size() - 1);
    }

    synchronized List<Long> uids() {
        return List.copyOf(uids);
    }

    /** Removes {@code uid}; returns the message number it had (to report as EXPUNGE), or 0. */
    synchronized int expunged(long uid) {
        int n = numberOf(uid);
        if (n > 0) {
            uids.remove(n - 1);
            known.remove(uid);
        }
        return n;
    }

    /** Adds messages the mailbox has gained (UIDs larger than the known ones, in order); returns the new count. */
    synchronized int appended(List<MessageStore.Info> messages) {
        messages.forEach(this::add);
        return uids.size();
    }

    /**
     * True if the client knows the message but not its flags as they are now: a newer MODSEQ, or at the same
     * MODSEQ other flags (a per-user \\Seen changed, which has no MODSEQ of its own).
     */
    synchronized boolean isNews(MessageStore.Info m) {
        Known k = known.get(m.uid());
        return k != null && (m.modseq() > k.modseq() || m.modseq() == k.modseq() && !Set.copyOf(m.flags()).equals(k.flags()));
    }

    /** The client now knows the message's flags as {@code m} has them (never an older state). */
    synchronized void reported(MessageStore.Info m) {
        known.computeIfPresent(m.uid(), (u, k) -> m.modseq() >= k.modseq() ? new Known(m.modseq(), Set.copyOf(m.flags())) : k);
    }
}
