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
        java.util.stream.Stream.concat(java.util.stream.Stream.of(MailboxManager.DEFAULT_PARTITION),
                        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX))
                                .map(k -> k.substring(PREFIX.length())))
                .forEach(name -> {
                    Path dir = path(name);
                    if (dir != null) {
                        all.put(name, dir);
                    }
                });
        return all;
    }

    /** The partition's directory, or null if there is no such partition (read per message: no scan of all properties). */
    public Path path(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        String dir = System.getProperty(PREFIX + name, "").trim();
        if (!dir.isEmpty()) {
            return Path.of(dir);
        }
        return name.equals(MailboxManager.DEFAULT_PARTITION)
                ? dataDir.resolve("spool").resolve(MailboxManager.DEFAULT_PARTITION) : null;
    }

    /** A partition's directory and the room on its file system (-1 if it cannot be read: {@code error}). */
    public record Space(String name, Path path, long freeBytes, long totalBytes, String error) {
    }

    /** Every partition with its room, by name. */
    public java.util.List<Space> spaces() {
        java.util.List<Space> out = new java.util.ArrayList<>();
        all().forEach((name, path) -> {
            try {
                Path existing = path.toAbsolutePath(); // a partition not written to yet: its file system
                while (!java.nio.file.Files.exists(existing) && existing.getParent() != null) {
                    existing = existing.getParent();
                }
                java.nio.file.FileStore store = java.nio.file.Files.getFileStore(existing);
                out.add(new Space(name, path, store.getUsableSpace(), store.getTotalSpace(), null));
            } catch (java.io.IOException e) {
                out.add(new Space(name, path, -1, -1, e.getMessage()));
            }
        });
        return out;
    }

    /** Where new top-level mailboxes go. */
    public static String defaultPartition() {
        return System.getProperty("corvid.default-partition", MailboxManager.DEFAULT_PARTITION);
    }
}
