package org.corvid.ejb.imap;

import jakarta.annotation.Resource;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.util.List;
import java.util.Locale;
import org.corvid.ejb.backend.MailboxNames;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.ejb.backend.Quotas;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * QUOTA (RFC 9208, resources STORAGE, MESSAGE and MAILBOX): GETQUOTA, GETQUOTAROOT, and SETQUOTA for admins. Limits
 * are enforced on APPEND, COPY and LMTP delivery ({@code NO [OVERQUOTA]}, {@code 452 4.2.2}).
 */
@Stateless
@PermitAll
@DeclareRoles(Namespaces.ADMIN_ROLE)
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ImapQuota {
    @Resource
    private SessionContext context;

    private Caller caller() {
        return Caller.of(context);
    }

    @EJB
    private Quotas quotas;

    @EJB
    private MailboxStore store;

    /** Users see the roots of their own hierarchy; admins every root. */
    private boolean mayRead(String root) {
        return caller().admin() || caller().user().equals(MailboxNames.ownerOf(root));
    }

    private String line(Quotas.Quota q) {
        StringBuilder b = new StringBuilder("* QUOTA ").append(ImapMailboxes.astring(caller().names().toImap(q.root()))).append(" (");
        if (q.storageLimitKib() != null) {
            b.append("STORAGE ").append(q.usedKib()).append(' ').append(q.storageLimitKib());
        }
        if (q.messageLimit() != null) {
            b.append(q.storageLimitKib() != null ? " " : "").append("MESSAGE ").append(q.usedMessages()).append(' ')
                    .append(q.messageLimit());
        }
        if (q.mailboxLimit() != null) {
            b.append(q.storageLimitKib() != null || q.messageLimit() != null ? " " : "").append("MAILBOX ")
                    .append(q.usedMailboxes()).append(' ').append(q.mailboxLimit());
        }
        return b.append(')').toString();
    }

    public void getquota(TaggedRequest r, Connection c) {
        String root = r.args().size() == 1 && r.string(0) != null ? caller().names().toInternal(r.string(0)) : null;
        if (root == null) {
            c.write(r.tag() + " BAD GETQUOTA takes a quota root");
            return;
        }
        Quotas.Quota q = mayRead(root) ? quotas.get(root) : null;
        if (q == null) {
            c.write(r.tag() + " NO [NONEXISTENT] No such quota root");
            return;
        }
        c.write(line(q));
        c.write(r.tag() + " OK Completed");
    }

    public void getquotaroot(TaggedRequest r, Connection c) {
        String name = r.args().size() == 1 && r.string(0) != null ? caller().names().toInternal(r.string(0)) : null;
        if (name == null) {
            c.write(r.tag() + " BAD GETQUOTAROOT takes a mailbox");
            return;
        }
        MailboxStore.Info m = store.find(name);
        if (m == null || !caller().may(m, 'l')) {
            c.write(r.tag() + " NO [NONEXISTENT] Mailbox does not exist");
            return;
        }
        Quotas.Quota q = quotas.rootOf(name);
        c.write("* QUOTAROOT " + ImapMailboxes.astring(r.string(0))
                + (q == null ? "" : " " + ImapMailboxes.astring(caller().names().toImap(q.root()))));
        if (q != null && mayRead(q.root())) {
            c.write(line(q));
        }
        c.write(r.tag() + " OK Completed");
    }

    /** SETQUOTA root (STORAGE kib MESSAGE n MAILBOX n): admins only; an empty list removes the limits. */
    public void setquota(TaggedRequest r, Connection c) {
        String root = r.args().size() == 2 && r.string(0) != null ? caller().names().toInternal(r.string(0)) : null;
        if (root == null || !(r.args().get(1) instanceof Value.ListValue list) || list.items().size() % 2 != 0) {
            c.write(r.tag() + " BAD SETQUOTA takes a quota root and a list of resource limits");
            return;
        }
        if (!caller().admin()) {
            c.write(r.tag() + " NO [NOPERM] Only an administrator may set quotas");
            return;
        }
        Long storage = null;
        Long messages = null;
        Long mailboxes = null;
        List<Value> items = list.items();
        for (int i = 0; i < items.size(); i += 2) {
            String resource = items.get(i).asString() == null ? "" : items.get(i).asString().toUpperCase(Locale.ROOT);
            long limit;
            try {
                limit = Long.parseLong(items.get(i + 1).asString());
            } catch (NumberFormatException | NullPointerException e) {
                c.write(r.tag() + " BAD Invalid limit");
                return;
            }
            switch (resource) {
                case "STORAGE" -> storage = limit;
                case "MESSAGE" -> messages = limit;
                case "MAILBOX" -> mailboxes = limit;
                default -> {
                    c.write(r.tag() + " NO Unsupported resource " + resource);
                    return;
                }
            }
        }
        quotas.set(root, storage, messages, mailboxes);
        Quotas.Quota q = quotas.get(root);
        if (q != null) {
            c.write(line(q));
        }
        c.write(r.tag() + " OK Completed");
    }
}
