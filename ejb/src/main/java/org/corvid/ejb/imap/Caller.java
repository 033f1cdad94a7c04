package org.corvid.ejb.imap;

import jakarta.ejb.SessionContext;
import org.corvid.ejb.backend.MailboxAcl;
import org.corvid.ejb.backend.MailboxNames;
import org.corvid.ejb.backend.MailboxStore;

/** Who runs an IMAP command: the user, whether an admin, their mailbox names and their rights on a mailbox. */
record Caller(String user, boolean admin) {
    static Caller of(SessionContext context) {
        return new Caller(context.getCallerPrincipal().getName(), context.isCallerInRole(Namespaces.ADMIN_ROLE));
    }

    MailboxNames names() {
        return new MailboxNames(user, admin);
    }

    /** The caller's rights on {@code m}: every right for an admin, else what the ACL grants. */
    String rights(MailboxStore.Info m) {
        return admin ? MailboxAcl.ALL_RIGHTS : MailboxAcl.parse(m.acl()).rightsOf(user);
    }

    boolean may(MailboxStore.Info m, char right) {
        return rights(m).indexOf(right) >= 0;
    }
}
