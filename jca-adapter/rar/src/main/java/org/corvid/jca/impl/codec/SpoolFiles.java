package org.corvid.jca.impl.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import org.corvid.jca.api.LineRequest;
import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;

/**
 * Temporary files for literals and messages too large to hold in memory: above
 * {@code corvid.literal.spool-threshold} bytes (default 1 MiB) the decoders write them to
 * {@code <corvid.data.dir>/tmp/literals} as they arrive. A file lives until its command has been handled
 * ({@link #release}), or its connection closes first; the backend's spool sweep removes any a crash left.
 */
public final class SpoolFiles {
    private SpoolFiles() {
    }

    public static long threshold() {
        return Long.getLong("corvid.literal.spool-threshold", 1024 * 1024);
    }

    /** The directory of the temporary files. */
    public static Path directory() {
        String data = System.getProperty("corvid.data.dir");
        return data != null ? Path.of(data, "tmp", "literals") : Path.of(System.getProperty("java.io.tmpdir"), "corvid-literals");
    }

    /** A new empty file, open for writing. */
    static FileChannel create(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }

    static Path newFile() {
        return directory().resolve(UUID.randomUUID() + ".tmp");
    }

    static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the spool sweep removes it later
            }
        }
    }

    static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was lost: the file is deleted or complete
            }
        }
    }

    /** Deletes the temporary files a decoded request carries (none if it has none). */
    public static void release(Object request) {
        if (request instanceof TaggedRequest t) {
            release(t.args());
        } else if (request instanceof LineRequest l) {
            delete(l.messageFile());
        } else if (request instanceof MessageData m) {
            delete(m.file());
        }
    }

    static void release(List<Value> values) {
        for (Value v : values) {
            if (v instanceof Value.SpooledLiteral s) {
                delete(s.file());
            } else if (v instanceof Value.ListValue l) {
                release(l.items());
            }
        }
    }
}
