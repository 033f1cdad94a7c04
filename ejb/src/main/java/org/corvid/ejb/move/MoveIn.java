package org.corvid.ejb.move;

import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.resource.ResourceException;
import java.util.List;
import javax.sql.DataSource;
import org.corvid.ejb.node.DurableCommit;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.jca.api.mupdate.MupdateConnection;
import org.corvid.jca.api.mupdate.MupdateConnectionFactory;
import org.corvid.jca.api.mupdate.MupdateReply;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * The destination's switch of a move: the last data stored and forced to disk, then each mailbox ACTIVATEd at
 * the master with this server's location, then shown. Idempotent, so the source may repeat it after a lost answer.
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class MoveIn {
    private static final Logger LOG = Logger.getLogger(MoveIn.class);

    @EJB
    private MoveStore store;

    @EJB
    private NodeConfig node;

    @Resource(lookup = MupdateConnectionFactory.JNDI_NAME)
    private MupdateConnectionFactory master;

    @Resource(lookup = "java:jboss/datasources/CorvidMailstoreDS")
    private DataSource mailstore;

    /** Returns the names now active here. */
    public List<String> commit(String moveId, List<String> names, String root, MoveStore.UserData data)
            throws ResourceException {
        store.finish(moveId, names, root, data);
        DurableCommit.force(mailstore); // every message and row on disk before the master points here
        List<MoveStore.MailboxMeta> staged = store.hiddenMailboxes(moveId);
        try (MupdateConnection m = master.getConnection()) {
            for (MoveStore.MailboxMeta b : staged) {
                MupdateReply r = m.activate(b.name(), node.serverName() + "!" + b.partition(), b.acl());
                if (!r.ok()) {
                    throw new ResourceException("the master refused ACTIVATE " + b.name() + ": " + r);
                }
            }
        }
        List<String> shown = store.show(moveId);
        DurableCommit.force(mailstore);
        LOG.infof("move %s: %d mailboxes now active on %s", moveId, shown.size(), node.serverName());
        return shown;
    }
}
