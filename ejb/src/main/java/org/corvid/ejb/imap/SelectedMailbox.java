package org.corvid.ejb.imap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    private final Map<Long, Long> reportedModseq = new HashMap<>();

    /** @param modseqs the mailbox's UIDs, in order, with their MODSEQ as the client learns them now */
    SelectedMailbox(String name, boolean readOnly, Map<Long, Long> modseqs) {
        this.name = name;
        this.readOnly = readOnly;
        modseqs.forEach((uid, modseq) -> {
            uids.add(uid);
            reportedModseq.put(uid, modseq);
        });
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
            reportedModseq.remove(uid);
        }
        return n;
    }

    /** Adds messages the mailbox has gained (UIDs larger than the known ones, in order); returns the new count. */
    synchronized int appended(Map<Long, Long> modseqs) {
        modseqs.forEach((uid, modseq) -> {
            uids.add(uid);
            reportedModseq.put(uid, modseq);
        });
        return uids.size();
    }

    /** True if the client has not been told about the message's flags as of {@code modseq} (and knows it). */
    synchronized boolean isNews(long uid, long modseq) {
        Long known = reportedModseq.get(uid);
        return known != null && modseq > known;
    }

    /** The client now knows the message's flags as of {@code modseq}. */
    synchronized void reported(long uid, long modseq) {
        reportedModseq.computeIfPresent(uid, (u, known) -> Math.max(known, modseq));
    }
}
