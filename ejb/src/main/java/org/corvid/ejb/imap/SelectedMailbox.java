package org.corvid.ejb.imap;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.corvid.ejb.backend.MessageStore;

/**
 * A connection's view of its selected mailbox: the name, read-only or not, and the UIDs in message-number
 * order as this session last told the client (RFC 9051 2.3.1.2: numbers change only when the session reports
 * EXISTS/EXPUNGE), each with the MODSEQ and flags the client was last told about (so other sessions' flag
 * changes can be reported as FETCH FLAGS). Kept in the connection's attributes, for as long as the mailbox is
 * selected, so it is compact: UIDs and MODSEQs in primitive arrays, and each distinct set of flags held once
 * (a mailbox has few), 37 bytes a message where boxed lists and maps took 153 (1,000,000 messages, four flag sets, measured with the heap after GC).
 */
public final class SelectedMailbox {
    private final String name;
    private final boolean readOnly;
    private long[] uids = new long[16];
    private long[] modseqs = new long[16];
    private Set<String>[] flags = newFlags(16);
    private int size;
    private long highestModseq = -1; // the mailbox's, as of the last sync; -1: unknown (every message is checked)
    private final Map<Set<String>, Set<String>> distinctFlags = new HashMap<>();

    /** @param messages the mailbox's messages, in UID order, as the client learns them now */
    SelectedMailbox(String name, boolean readOnly, List<MessageStore.Info> messages) {
        this.name = name;
        this.readOnly = readOnly;
        grow(messages.size());
        messages.forEach(this::add);
    }

    @SuppressWarnings("unchecked")
    private static Set<String>[] newFlags(int n) {
        return (Set<String>[]) new Set<?>[n];
    }

    private void grow(int capacity) {
        if (capacity > uids.length) {
            int n = Math.max(capacity, uids.length + (uids.length >> 1));
            uids = Arrays.copyOf(uids, n);
            modseqs = Arrays.copyOf(modseqs, n);
            flags = Arrays.copyOf(flags, n);
        }
    }

    private Set<String> distinct(Set<String> f) {
        Set<String> copy = Set.copyOf(f);
        return distinctFlags.computeIfAbsent(copy, k -> k);
    }

    private void add(MessageStore.Info m) {
        add(m.uid(), m.modseq(), m.flags());
    }

    /** Adds a message the client learns of now (UIDs in increasing order). */
    synchronized void add(long uid, long modseq, Set<String> messageFlags) {
        grow(size + 1);
        uids[size] = uid;
        modseqs[size] = modseq;
        flags[size] = distinct(messageFlags);
        size++;
    }

    /** The mailbox's HIGHESTMODSEQ when this view was last brought up to date. */
    synchronized long highestModseq() {
        return highestModseq;
    }

    synchronized void highestModseq(long modseq) {
        highestModseq = modseq;
    }

    String name() {
        return name;
    }

    boolean readOnly() {
        return readOnly;
    }

    synchronized int count() {
        return size;
    }

    synchronized long uidAt(int messageNumber) {
        if (messageNumber < 1 || messageNumber > size) {
            throw new IndexOutOfBoundsException("message " + messageNumber + " of " + size);
        }
        return uids[messageNumber - 1];
    }

    /** The message number of {@code uid}, or 0 if this session does not know it. */
    synchronized int numberOf(long uid) {
        int i = Arrays.binarySearch(uids, 0, size, uid);
        return i < 0 ? 0 : i + 1;
    }

    synchronized long largestUid() {
        return size == 0 ? 0 : uids[size - 1];
    }

    synchronized List<Long> uids() {
        return Arrays.stream(uids, 0, size).boxed().toList();
    }

    /** The UIDs this session knows that {@code set} names, by UID or by message number. */
    synchronized List<Long> uidsIn(org.corvid.ejb.backend.SequenceSet set, boolean byUid) {
        List<Long> in = new java.util.ArrayList<>();
        for (int i = 0; i < size; i++) {
            if (set.contains(byUid ? uids[i] : i + 1)) {
                in.add(uids[i]);
            }
        }
        return in;
    }

    /** Removes {@code uid}; returns the message number it had (to report as EXPUNGE), or 0. */
    synchronized int expunged(long uid) {
        int n = numberOf(uid);
        if (n > 0) {
            int tail = size - n;
            System.arraycopy(uids, n, uids, n - 1, tail);
            System.arraycopy(modseqs, n, modseqs, n - 1, tail);
            System.arraycopy(flags, n, flags, n - 1, tail);
            size--;
            flags[size] = null;
        }
        return n;
    }

    /** Adds messages the mailbox has gained (UIDs larger than the known ones, in order); returns the new count. */
    synchronized int appended(List<MessageStore.Info> messages) {
        messages.forEach(this::add);
        return size;
    }

    /**
     * True if the client knows the message but not its flags as they are now: a newer MODSEQ, or at the same
     * MODSEQ other flags (a per-user \\Seen changed, which has no MODSEQ of its own).
     */
    synchronized boolean isNews(MessageStore.Info m) {
        int n = numberOf(m.uid());
        return n > 0 && (m.modseq() > modseqs[n - 1] || m.modseq() == modseqs[n - 1] && !Set.copyOf(m.flags()).equals(flags[n - 1]));
    }

    /** The client now knows the message's flags as {@code m} has them (never an older state). */
    synchronized void reported(MessageStore.Info m) {
        int n = numberOf(m.uid());
        if (n > 0 && m.modseq() >= modseqs[n - 1]) {
            modseqs[n - 1] = m.modseq();
            flags[n - 1] = distinct(m.flags());
        }
    }
}
