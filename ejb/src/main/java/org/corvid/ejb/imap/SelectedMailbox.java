package org.corvid.ejb.imap;

import java.util.ArrayList;
import java.util.List;

/**
 * A connection's view of its selected mailbox: the name, read-only or not, and the UIDs in message-number
 * order as this session last told the client (RFC 9051 2.3.1.2: numbers change only when the session reports
 * EXISTS/EXPUNGE). Kept in the connection's attributes.
 */
public final class SelectedMailbox {
    private final String name;
    private final boolean readOnly;
    private final List<Long> uids;

    SelectedMailbox(String name, boolean readOnly, List<Long> uids) {
        this.name = name;
        this.readOnly = readOnly;
        this.uids = new ArrayList<>(uids);
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
        }
        return n;
    }

    /** Adds UIDs the mailbox has gained (all larger than the known ones); returns the new count. */
    synchronized int appended(List<Long> newUids) {
        uids.addAll(newUids);
        return uids.size();
    }
}
