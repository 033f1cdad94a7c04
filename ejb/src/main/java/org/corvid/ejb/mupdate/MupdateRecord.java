package org.corvid.ejb.mupdate;

import org.corvid.persistence.mupdate.MailboxLocation;
import org.corvid.persistence.mupdate.MailboxState;

/** An entry of the master's list as it goes on the wire and into the location cache, detached from JPA. */
public record MupdateRecord(String name, String location, String acl, MailboxState state)
        implements java.io.Serializable {

    static MupdateRecord of(MailboxLocation l) {
        return new MupdateRecord(l.getName(), l.getLocation(), l.getAcl(), l.getState());
    }

    /** The server part of the location (before {@code !}). */
    public String server() {
        return MailboxLocation.serverOf(location);
    }
}
