package org.corvid.ejb.mupdate;

import org.corvid.jca.api.mupdate.MupdateEntry;
import org.corvid.persistence.mupdate.MailboxLocation;
import org.corvid.persistence.mupdate.MailboxState;

/** An entry of the master's list as it goes on the wire and into the location cache, detached from JPA. */
public record MupdateRecord(String name, String location, String acl, MailboxState state)
        implements java.io.Serializable {

    static MupdateRecord of(MailboxLocation l) {
        return new MupdateRecord(l.getName(), l.getLocation(), l.getAcl(), l.getState());
    }

    /** A MAILBOX or RESERVE record received from a master. */
    static MupdateRecord of(MupdateEntry e) {
        return new MupdateRecord(e.name(), e.location(), e.acl(),
                e.kind() == MupdateEntry.Kind.MAILBOX ? MailboxState.ACTIVE : MailboxState.RESERVED);
    }

    /** The server part of the location (before {@code !}). */
    public String server() {
        return MailboxLocation.serverOf(location);
    }
}
