package org.corvid.jca.api.mupdate;

import jakarta.resource.ResourceException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A pooled, authenticated connection to the MUPDATE master (RFC 3656), from
 * {@link MupdateConnectionFactory#getConnection()}. Not thread-safe: one caller at a time, then
 * {@link #close()} to give it back to the pool. A {@link ResourceException} means the connection failed
 * (it is destroyed, not pooled again); for a write that failed that way the outcome is unknown.
 */
public interface MupdateConnection extends AutoCloseable {
    MupdateReply reserve(String name, String location) throws ResourceException;

    MupdateReply activate(String name, String location, String acl) throws ResourceException;

    MupdateReply deactivate(String name, String location) throws ResourceException;

    MupdateReply delete(String name) throws ResourceException;

    /**
     * Sends {@code writes} pipelined, a window of commands at a time, and returns each one's reply in order: the
     * master commits what arrives together in one transaction (a resync of thousands of entries takes seconds,
     * not a round trip and a commit each).
     */
    java.util.List<MupdateReply> writeAll(java.util.List<MupdateWrite> writes) throws ResourceException;

    /** FIND: the entry ({@code MAILBOX} or {@code RESERVE}), or empty. */
    Optional<MupdateEntry> find(String name) throws ResourceException;

    /** LIST [location-prefix]: every entry (or those at locations starting with the prefix), streamed. */
    void list(String locationPrefix, Consumer<MupdateEntry> each) throws ResourceException;

    /** NOOP: a round trip to the master. */
    MupdateReply noop() throws ResourceException;

    /** Returns the connection to the pool. */
    @Override
    void close();
}
