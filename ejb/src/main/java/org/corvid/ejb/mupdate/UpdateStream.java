package org.corvid.ejb.mupdate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.SessionState;

/**
 * One UPDATE subscriber. Subscribed before the full dump starts, it buffers the changes committed meanwhile
 * and sends them once the dump and {@code OK "streaming starts"} are written, then streams each change as it
 * is committed. (A change may thus arrive twice; MUPDATE records are idempotent.)
 */
public final class UpdateStream {
    private final String tag;
    private final Set<String> hosts;
    private final Connection connection;
    private final List<MupdateChange> pending = new ArrayList<>();
    private final java.time.Instant since = java.time.Instant.now();
    private boolean live;
    private long sent;

    /** A subscriber as the status shows it: who, since when, changes sent, and how far behind it is. */
    public record Status(String client, String user, String since, boolean dumping, long changesSent,
                         int changesBuffered, long pendingBytes) {
    }

    synchronized Status status() {
        return new Status(connection.remoteAddress().getAddress().getHostAddress() + ":" + connection.remoteAddress().getPort(),
                connection.user(), since.toString(), !live, sent, pending.size(), connection.pendingOutputBytes());
    }

    UpdateStream(String tag, Set<String> hosts, Connection connection) {
        this.tag = tag;
        this.hosts = hosts;
        this.connection = connection;
    }

    String tag() {
        return tag;
    }

    Set<String> hosts() {
        return hosts;
    }

    boolean closed() {
        return connection.state() == SessionState.LOGOUT;
    }

    /** A committed batch, in order: the changes that concern this subscriber in one write (one flush). */
    synchronized void offerAll(List<MupdateChange> changes) {
        List<String> lines = new ArrayList<>();
        for (MupdateChange change : changes) {
            if (!change.concerns(hosts)) {
                continue;
            }
            if (live) {
                lines.addAll(MupdateWire.change(tag, change));
                sent++;
            } else {
                pending.add(change);
            }
        }
        if (!lines.isEmpty()) {
            connection.write(MupdateWire.asOneWrite(lines));
        }
    }

    /** Sends what was committed during the dump and switches to streaming. */
    synchronized void goLive() {
        List<MupdateChange> held = new ArrayList<>(pending);
        pending.clear();
        live = true;
        offerAll(held);
    }
}
