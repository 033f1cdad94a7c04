package org.corvid.ejb.backend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Message files of a backend: {@code <partition directory>/<mailbox unique id>/<uuid>.eml}, one per message.
 * A file is written under its final name, forced to disk and its directory forced, all before the metadata
 * commit that makes it visible: no rename, since nothing reads a file before a row references it (the sweep
 * removes one whose commit never came). Without a rename, the directory's own sync finds the new entry already
 * journaled by the file's, so a delivery costs one journal commit, not two. On ext4 and XFS the directory is not
 * forced at all: forcing a new file there also makes its directory entry durable (one journal transaction; ext4
 * without a journal syncs the parent of a new inode itself), and the extra sync would only cost a disk cache
 * flush per message. {@code corvid.spool.sync-directories=always} forces it anyway.
 */
public final class Spool {
    private static final java.util.Set<String> JOURNALED_ENTRIES = java.util.Set.of("ext4", "xfs");
    private static final java.util.Map<Path, Boolean> SYNC_DIRECTORIES = new java.util.concurrent.ConcurrentHashMap<>();
    private final Partitions partitions;

    public Spool(Partitions partitions) {
        this.partitions = partitions;
    }

    private Path dir(String partition) {
        Path p = partitions.path(partition);
        if (p == null) {
            throw new UncheckedIOException(new IOException("no partition " + partition + " on this backend"));
        }
        return p;
    }

    /** Writes {@code content} durably, streaming it; returns its path relative to the partition. */
    public String write(String partition, String mailboxUniqueId, MessageSource content) {
        Path root = dir(partition);
        Path dir = root.resolve(mailboxUniqueId);
        String name = UUID.randomUUID() + ".eml";
        Path file = dir.resolve(name);
        try {
            if (!Files.isDirectory(dir)) { // createDirectories throws (and catches) an exception when it exists
                Files.createDirectories(dir);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(ch);
                ch.force(true);
            }
            if (syncDirectories(root)) {
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                }
            }
            return mailboxUniqueId + "/" + name;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the orphan stays; nothing references it
            }
            throw new UncheckedIOException("cannot write to the spool of partition " + partition, e);
        }
    }

    /** Whether new files' directories must be forced on this partition's file system (see the class comment). */
    private static boolean syncDirectories(Path partitionDir) {
        if ("always".equals(System.getProperty("corvid.spool.sync-directories"))) {
            return true;
        }
        return SYNC_DIRECTORIES.computeIfAbsent(partitionDir, p -> {
            try {
                return !JOURNALED_ENTRIES.contains(Files.getFileStore(p).type());
            } catch (IOException e) {
                return true;
            }
        });
    }

    /** Where a message's file is (to stream it). */
    public Path path(String partition, String file) {
        return dir(partition).resolve(file);
    }

    /** A message's file, to stream. */
    public java.io.InputStream open(String partition, String file) {
        try {
            return Files.newInputStream(path(partition, file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " in partition " + partition, e);
        }
    }

    public byte[] read(String partition, String file) {
        try {
            return Files.readAllBytes(path(partition, file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " in partition " + partition, e);
        }
    }

    /** Best effort: a file left behind is an orphan nothing references. */
    public void delete(String partition, String file) {
        try {
            Files.deleteIfExists(path(partition, file));
        } catch (IOException | UncheckedIOException ignored) {
            // see above
        }
    }
}
