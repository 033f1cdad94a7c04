package org.corvid.ejb.backend;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * This backend's partitions (Cyrus {@code partition-<name>}): each {@code corvid.partition.<name>} system
 * property names a partition and its spool directory; {@code default} exists even when not configured, at
 * {@code <data>/spool/default}. Read at every use, so a partition added with the CLI script
 * ({@code /system-property=corvid.partition.<name>:add(value=<dir>)}) is usable at once, without a restart.
 * New top-level mailboxes go to {@code corvid.default-partition} (default {@code default}); a mailbox under
 * another goes to its parent's partition, as in Cyrus.
 */
public final class Partitions {
    private static final String PREFIX = "corvid.partition.";
    private final Path dataDir;

    public Partitions(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Every partition and its directory, by name. */
    public Map<String, Path> all() {
        Map<String, Path> all = new TreeMap<>();
        all.put(MailboxManager.DEFAULT_PARTITION, dataDir.resolve("spool").resolve(MailboxManager.DEFAULT_PARTITION));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX)).forEach(k -> {
            String name = k.substring(PREFIX.length());
            String dir = System.getProperty(k, "").trim();
            if (!name.isEmpty() && !dir.isEmpty()) {
                all.put(name, Path.of(dir));
            }
        });
        return all;
    }

    /** The partition's directory, or null if there is no such partition. */
    public Path path(String name) {
        return name == null ? null : all().get(name);
    }

    /** Where new top-level mailboxes go. */
    public static String defaultPartition() {
        return System.getProperty("corvid.default-partition", MailboxManager.DEFAULT_PARTITION);
    }
}
