package org.corvid.persistence.mupdate;

/** A mailbox's state at the MUPDATE master (RFC 3656): reserved during create/move, active when usable. */
public enum MailboxState {
    RESERVED,
    ACTIVE
}
