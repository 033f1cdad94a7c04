package org.corvid.ejb.mupdate;

/**
 * A committed change of the list, as streamed to UPDATE subscribers.
 *
 * @param name      the mailbox
 * @param current   the entry now, or null if it was deleted
 * @param oldServer the server it was on before, or null if it is new
 */
public record MupdateChange(String name, MupdateRecord current, String oldServer) {

    /** True if a subscriber filtering on {@code hosts} must see it (old or new server listed, as Cyrus). */
    boolean concerns(java.util.Set<String> hosts) {
        return hosts.isEmpty() || (oldServer != null && hosts.contains(oldServer))
                || (current != null && hosts.contains(current.server()));
    }
}
