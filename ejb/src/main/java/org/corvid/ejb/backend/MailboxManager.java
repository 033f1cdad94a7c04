package org.corvid.ejb.backend;

import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.resource.ResourceException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.jca.api.mupdate.MupdateConnection;
import org.corvid.jca.api.mupdate.MupdateConnectionFactory;
import org.corvid.jca.api.mupdate.MupdateReply;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * Changes to this backend's mailbox list, each agreed with the MUPDATE master first (through the pooled
 * MUPDATE client, also when the master is this node): CREATE = RESERVE at the master → create locally →
 * ACTIVATE; DELETE = local delete → DELETE at the master; RENAME = RESERVE the new names → rename locally →
 * ACTIVATE the new names and DELETE the old ones. A master that cannot be reached refuses the change
 * ({@code NO [UNAVAILABLE]}); a local failure after RESERVE withdraws the reservation.
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class MailboxManager {
    private static final Logger LOG = Logger.getLogger(MailboxManager.class);
    public static final String DEFAULT_PARTITION = "default";

    /** The IMAP answer: {@code OK ...} or {@code NO [CODE] ...} without the tag. */
    public record Outcome(boolean ok, String text) {
        static Outcome ok(String text) {
            return new Outcome(true, "OK " + text);
        }

        static Outcome no(String text) {
            return new Outcome(false, "NO " + text);
        }
    }

    private static final Outcome UNAVAILABLE = Outcome.no("[UNAVAILABLE] The MUPDATE master cannot be reached; try again later");

    @Resource(lookup = MupdateConnectionFactory.JNDI_NAME)
    private MupdateConnectionFactory master;

    @EJB
    private MailboxStore store;

    @EJB
    private NodeConfig node;

    @EJB
    private Quotas quotas;

    @EJB
    private org.corvid.ejb.move.MoveFence fence;

    /** This node's name and data directory, read once per instance (they change only with a restart). */
    private String serverName;
    private java.nio.file.Path dataDir;

    @jakarta.annotation.PostConstruct
    void init() {
        serverName = node.serverName();
        dataDir = node.dataDir();
    }

    private String location(String partition) {
        return serverName + "!" + partition;
    }

    /** The partition a new mailbox gets by default: its parent's ({@code parent} as found here), else the default one. */
    public static String partitionUnder(MailboxStore.Info parent) {
        return parent != null ? parent.partition() : Partitions.defaultPartition();
    }

    /** Creates {@code name} on {@code partition} with {@code acl}. */
    public Outcome create(String name, String partition, String acl) {
        return create(name, partition, acl, null);
    }

    /**
     * Creates {@code name} on {@code partition} (null: its parent's, or {@code corvid.default-partition} for a
     * top-level name) with {@code acl} and a special use ({@code \Sent}, ... or null).
     */
    public Outcome create(String name, String partition, String acl, String specialUse) {
        if (store.find(name) != null) {
            return Outcome.no("[ALREADYEXISTS] Mailbox already exists");
        }
        if (fence.frozen(name) || store.moving(name)) {
            return Outcome.no("[INUSE] The mailbox (or the one above it) is being moved between servers; try again shortly");
        }
        if (partition == null) {
            partition = partitionUnder(MailboxNames.parentOf(name) == null ? null : store.find(MailboxNames.parentOf(name)));
        }
        if (new Partitions(dataDir).path(partition) == null) {
            return Outcome.no("[CANNOT] No partition " + partition + " on this backend");
        }
        Quotas.Quota quota = quotas.rootOf(name);
        if (quota != null && !quota.allowsAnotherMailbox()) {
            return Outcome.no("[OVERQUOTA] Mailbox quota exceeded");
        }
        try (MupdateConnection m = master.getConnection()) {
            MupdateReply reserved = m.reserve(name, location(partition));
            if (!reserved.ok()) {
                return Outcome.no("[ALREADYEXISTS] Mailbox already exists");
            }
            try {
                store.insert(name, partition, acl, specialUse);
            } catch (RuntimeException e) {
                LOG.errorf(e, "creating %s failed; withdrawing the reservation", name);
                m.delete(name);
                return store.find(name) != null ? Outcome.no("[ALREADYEXISTS] Mailbox already exists")
                        : Outcome.no("[SERVERBUG] Mailbox could not be created");
            }
            MupdateReply activated = m.activate(name, location(partition), acl);
            if (!activated.ok()) {
                LOG.errorf("the master refused ACTIVATE %s: %s", name, activated);
            }
            return Outcome.ok("Completed");
        } catch (ResourceException e) {
            LOG.warnf("CREATE %s: %s", name, e.getMessage());
            return UNAVAILABLE;
        }
    }

    /**
     * Deletes {@code name}; with {@code withChildren} (a user's INBOX, as Cyrus does) also everything under it.
     * The master is reached first, so an unreachable master leaves the mailbox in place.
     */
    public Outcome delete(String name, boolean withChildren) {
        if (store.find(name) == null) {
            return Outcome.no("[NONEXISTENT] Mailbox does not exist");
        }
        try (MupdateConnection m = master.getConnection()) {
            for (String gone : store.delete(name, withChildren)) {
                // a name the master places on another server is not ours to remove there
                if (m.find(gone).map(e -> serverName.equals(e.server())).orElse(false)) {
                    m.delete(gone);
                }
            }
            return Outcome.ok("Completed");
        } catch (ResourceException e) {
            LOG.warnf("DELETE %s: %s", name, e.getMessage());
            return UNAVAILABLE;
        }
    }

    /** SETACL/DELETEACL: the new ACL, stored here and ACTIVATEd at the master (the master first reached). */
    public Outcome setAcl(String name, String acl) {
        MailboxStore.Info m = store.find(name);
        if (m == null) {
            return Outcome.no("[NONEXISTENT] Mailbox does not exist");
        }
        try (MupdateConnection c = master.getConnection()) {
            store.setAcl(name, acl);
            MupdateReply r = c.activate(name, location(m.partition()), acl);
            if (!r.ok()) {
                LOG.errorf("the master refused ACTIVATE %s with its new ACL: %s", name, r);
            }
            return Outcome.ok("Completed");
        } catch (ResourceException e) {
            LOG.warnf("SETACL %s: %s", name, e.getMessage());
            return UNAVAILABLE;
        }
    }

    /** Renames {@code from} and the mailboxes under it to {@code to}. */
    public Outcome rename(String from, String to) {
        List<MailboxStore.Info> moving = store.selfAndChildren(from);
        if (moving.isEmpty()) {
            return Outcome.no("[NONEXISTENT] Mailbox does not exist");
        }
        Map<String, String> renames = new LinkedHashMap<>();
        for (MailboxStore.Info i : moving) {
            String target = to + i.name().substring(from.length());
            if (store.find(target) != null) {
                return Outcome.no("[ALREADYEXISTS] Mailbox already exists");
            }
            renames.put(i.name(), target);
        }
        Quotas.Quota toRoot = quotas.rootOf(to);
        Quotas.Quota fromRoot = quotas.rootOf(from);
        if (toRoot != null && toRoot.mailboxLimit() != null && (fromRoot == null || !fromRoot.root().equals(toRoot.root()))
                && toRoot.usedMailboxes() + moving.size() > toRoot.mailboxLimit()) {
            return Outcome.no("[OVERQUOTA] Mailbox quota exceeded"); // into another root: its MAILBOX limit counts
        }
        try (MupdateConnection m = master.getConnection()) {
            List<String> reserved = new ArrayList<>();
            for (MailboxStore.Info i : moving) {
                if (!m.reserve(renames.get(i.name()), location(i.partition())).ok()) {
                    for (String r : reserved) {
                        m.delete(r);
                    }
                    return Outcome.no("[ALREADYEXISTS] Mailbox already exists");
                }
                reserved.add(renames.get(i.name()));
            }
            try {
                store.rename(renames);
            } catch (RuntimeException e) {
                LOG.errorf(e, "renaming %s failed; withdrawing the reservations", from);
                for (String r : reserved) {
                    m.delete(r);
                }
                return Outcome.no("[SERVERBUG] Mailbox could not be renamed");
            }
            for (MailboxStore.Info i : moving) {
                m.activate(renames.get(i.name()), location(i.partition()), i.acl());
                m.delete(i.name());
            }
            return Outcome.ok("Completed");
        } catch (ResourceException e) {
            LOG.warnf("RENAME %s: %s", from, e.getMessage());
            return UNAVAILABLE;
        }
    }
}
