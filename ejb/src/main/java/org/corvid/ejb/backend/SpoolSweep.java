package org.corvid.ejb.backend;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.persistence.mailstore.Mailbox;
import org.corvid.persistence.mailstore.Message;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * Removes spool files no message row references, once, in the background after start: temporary files of
 * interrupted writes, files of appends that never committed, directories of deleted mailboxes. Only files
 * older than {@code corvid.spool.sweep-min-age-minutes} (default 10) go, so a delivery in progress, whose file
 * is written before its row commits, is never touched.
 */
@Singleton
@Startup
@DependsOn({"SchemaMigrator", "NodeConfig"})
@PermitAll
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class SpoolSweep {
    private static final Logger LOG = Logger.getLogger(SpoolSweep.class);

    @PersistenceContext(unitName = "mailstore")
    private EntityManager em;

    @EJB
    private NodeConfig node;

    @Resource
    private ManagedExecutorService executor;

    @PostConstruct
    void atStart() {
        if (node.has(NodeConfig.Role.BACKEND)) {
            executor.execute(() -> {
                try {
                    LOG.infof("spool sweep: %d orphan file(s) removed", sweep());
                } catch (RuntimeException | IOException e) {
                    LOG.warnf(e, "spool sweep failed");
                }
            });
        }
    }

    /** Removes the orphans; returns how many files went. */
    public int sweep() throws IOException {
        Instant cutoff = Instant.now().minus(Duration.ofMinutes(Long.getLong("corvid.spool.sweep-min-age-minutes", 10)));
        int removed = 0;
        for (Path partition : new Partitions(node.dataDir()).all().values()) {
            if (!Files.isDirectory(partition)) {
                continue;
            }
            try (Stream<Path> mailboxes = Files.list(partition)) {
                for (Path dir : mailboxes.filter(Files::isDirectory).toList()) {
                    removed += sweep(dir, cutoff);
                }
            }
        }
        // literals and LMTP messages the adapter spooled to disk for a command a crash interrupted
        Path literals = node.dataDir().resolve("tmp").resolve("literals");
        if (Files.isDirectory(literals)) {
            try (Stream<Path> files = Files.list(literals)) {
                for (Path f : files.toList()) {
                    if (Files.getLastModifiedTime(f).toInstant().isBefore(cutoff) && Files.deleteIfExists(f)) {
                        removed++;
                    }
                }
            }
        }
        return removed;
    }

    private int sweep(Path dir, Instant cutoff) throws IOException {
        String uniqueId = dir.getFileName().toString();
        List<Mailbox> mailbox = em.createNamedQuery(Mailbox.BY_UNIQUE_ID, Mailbox.class)
                .setParameter("uniqueId", uniqueId).getResultList();
        Set<String> referenced = mailbox.isEmpty() ? Set.of() : new HashSet<>(em.createNamedQuery(Message.FILES_OF_MAILBOX,
                String.class).setParameter("mailbox", mailbox.get(0).getId()).getResultList());
        int removed = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (!referenced.contains(uniqueId + "/" + f.getFileName())
                        && Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(f);
                    removed++;
                }
            }
        }
        if (mailbox.isEmpty()) {
            try (Stream<Path> left = Files.list(dir)) {
                if (left.findAny().isEmpty()) {
                    Files.deleteIfExists(dir);
                }
            }
        }
        return removed;
    }
}
