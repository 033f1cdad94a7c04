package org.corvid.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.ejb.backend.MessageStore;
import org.corvid.ejb.backend.Quotas;
import org.corvid.ejb.mupdate.MupdateRecord;
import org.corvid.ejb.node.NodeConfig;

/**
 * What only the backend holding a mailbox knows of it: UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, special use, its
 * messages and bytes, and the quota root governing it with usage and limits. Read here if this node holds
 * it, else asked of its backend ({@code GET /api/internal/mailboxes/{name}}).
 */
@ApplicationScoped
public class MailboxDetails {
    @EJB
    private MailboxStore mailboxes;

    @EJB
    private MessageStore messages;

    @EJB
    private Quotas quotas;

    @EJB
    private NodeConfig node;

    /** This backend's figures of {@code name}, or null if it holds no such mailbox. */
    public Map<String, Object> local(String name) {
        if (!node.has(NodeConfig.Role.BACKEND)) {
            return null;
        }
        MailboxStore.Info box = mailboxes.find(name);
        long[] counts = box == null ? null : messages.counts(name, false);
        if (counts == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("server", node.serverName());
        m.put("partition", box.partition());
        m.put("uidValidity", box.uidValidity());
        m.put("uidNext", box.uidNext());
        m.put("highestModseq", box.highestModseq());
        m.put("specialUse", box.specialUse());
        m.put("messages", counts[0]);
        m.put("bytes", counts[2]);
        Quotas.Quota q = quotas.rootOf(name);
        if (q == null) {
            m.put("quota", null);
        } else {
            Map<String, Object> quota = new LinkedHashMap<>();
            quota.put("root", q.root());
            quota.put("storageUsedKib", q.usedKib());
            quota.put("storageLimitKib", q.storageLimitKib());
            quota.put("messagesUsed", q.usedMessages());
            quota.put("messageLimit", q.messageLimit());
            quota.put("mailboxesUsed", q.usedMailboxes());
            quota.put("mailboxLimit", q.mailboxLimit());
            m.put("quota", quota);
        }
        return m;
    }

    /** The mailbox list's entry for {@code r} with its backend's figures ({@code details}, or {@code detailsError}). */
    public Map<String, Object> of(MupdateRecord r) {
        Map<String, Object> m = MailboxesResource.item(r);
        if (r.server().equalsIgnoreCase(node.serverName())) {
            Map<String, Object> here = local(r.name());
            m.put("details", here);
            if (here == null) {
                m.put("detailsError", "Not in this backend's store (being created, moved or deleted?)");
            }
            return m;
        }
        MoveRequests.Answer there = NodeCalls.call(r.server(), "GET", "/api/internal/mailboxes/"
                + URLEncoder.encode(r.name(), StandardCharsets.UTF_8).replace("+", "%20"), null, Duration.ofSeconds(10));
        if (there.ok()) {
            m.put("details", there.body());
        } else {
            m.put("details", null);
            m.put("detailsError", there.body() instanceof Map<?, ?> problem ? problem.get("title") + ": " + problem.get("detail")
                    : "Backend " + r.server() + " answered " + there.status());
        }
        return m;
    }
}
