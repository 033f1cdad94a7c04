package org.corvid.ejb.imap;

import jakarta.annotation.Resource;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import org.corvid.ejb.backend.MailboxAcl;
import org.corvid.ejb.backend.MailboxManager;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.TaggedRequest;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * The ACL commands (RFC 4314): SETACL, DELETEACL, GETACL, LISTRIGHTS (need right {@code a}), MYRIGHTS (any
 * right). A changed ACL is stored and ACTIVATEd at the MUPDATE master, as Cyrus does.
 */
@Stateless
@PermitAll
@DeclareRoles(Namespaces.ADMIN_ROLE)
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ImapAcl {
    @Resource
    private SessionContext context;

    private Caller caller() {
        return Caller.of(context);
    }

    @EJB
    private MailboxStore store;

    @EJB
    private MailboxManager manager;

    /** The mailbox of argument 0, if the caller may see it; null when answered. */
    private MailboxStore.Info mailbox(TaggedRequest r, Connection c, int args, String usage) {
        if (r.args().size() != args || r.args().stream().anyMatch(v -> v.asString() == null)) {
            c.write(r.tag() + " BAD " + usage);
            return null;
        }
        String name = caller().names().toInternal(r.string(0));
        MailboxStore.Info m = name == null ? null : store.find(name);
        if (m == null || caller().rights(m).isEmpty()) {
            c.write(r.tag() + " NO [NONEXISTENT] Mailbox does not exist");
            return null;
        }
        return m;
    }

    private String imapName(TaggedRequest r) {
        return ImapMailboxes.astring(r.string(0));
    }

    public void setacl(TaggedRequest r, Connection c) {
        MailboxStore.Info m = mailbox(r, c, 3, "SETACL takes a mailbox, an identifier and rights");
        if (m == null) {
            return;
        }
        if (!caller().may(m, 'a')) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        MailboxAcl next = MailboxAcl.parse(m.acl()).with(r.string(1), r.string(2));
        if (next == null) {
            c.write(r.tag() + " BAD Invalid rights");
            return;
        }
        c.write(r.tag() + " " + manager.setAcl(m.name(), next.text()).text());
    }

    public void deleteacl(TaggedRequest r, Connection c) {
        MailboxStore.Info m = mailbox(r, c, 2, "DELETEACL takes a mailbox and an identifier");
        if (m == null) {
            return;
        }
        if (!caller().may(m, 'a')) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        c.write(r.tag() + " " + manager.setAcl(m.name(), MailboxAcl.parse(m.acl()).without(r.string(1)).text()).text());
    }

    public void getacl(TaggedRequest r, Connection c) {
        MailboxStore.Info m = mailbox(r, c, 1, "GETACL takes a mailbox");
        if (m == null) {
            return;
        }
        if (!caller().may(m, 'a')) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        StringBuilder line = new StringBuilder("* ACL ").append(imapName(r));
        MailboxAcl.parse(m.acl()).entries().forEach((id, rights) ->
                line.append(' ').append(ImapMailboxes.astring(id)).append(' ').append(rights));
        c.write(line.toString());
        c.write(r.tag() + " OK Completed");
    }

    public void listrights(TaggedRequest r, Connection c) {
        MailboxStore.Info m = mailbox(r, c, 2, "LISTRIGHTS takes a mailbox and an identifier");
        if (m == null) {
            return;
        }
        if (!caller().may(m, 'a')) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        // as Cyrus: nothing is always granted; every right can be granted on its own
        c.write("* LISTRIGHTS " + imapName(r) + " " + ImapMailboxes.astring(r.string(1))
                + " \"\" l r s w i p k x t e c d a n 0 1 2 3 4 5 6 7 8 9");
        c.write(r.tag() + " OK Completed");
    }

    public void myrights(TaggedRequest r, Connection c) {
        MailboxStore.Info m = mailbox(r, c, 1, "MYRIGHTS takes a mailbox");
        if (m == null) {
            return;
        }
        c.write("* MYRIGHTS " + imapName(r) + " " + caller().rights(m));
        c.write(r.tag() + " OK Completed");
    }

}
