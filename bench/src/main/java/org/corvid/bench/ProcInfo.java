package org.corvid.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small readers for Linux {@code /proc}; every method degrades to "unknown" instead of throwing. */
final class ProcInfo {

    private static final Path PROC = Paths.get("/proc");
    private static final Pattern MAX_OPEN_FILES = Pattern.compile("^Max open files\\s+(\\S+)\\s+(\\S+)", Pattern.MULTILINE);

    private ProcInfo() {
    }

    /** A process whose command line mentions jboss-modules.jar. */
    record JvmProcess(long pid, List<String> args) {
        boolean hasArg(String arg) {
            return args.contains(arg);
        }

        boolean mentionsPortOffset() {
            return args.stream().anyMatch(a -> a.startsWith("-Djboss.socket.binding.port-offset="));
        }
    }

    /** WildFly server JVMs (command line contains jboss-modules.jar), sorted by pid; never this process. */
    static List<JvmProcess> findWildFlyProcesses() {
        long self = ProcessHandle.current().pid();
        List<JvmProcess> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid == self) {
                    continue;
                }
                List<String> args = cmdline(pid);
                if (args.stream().anyMatch(a -> a.contains("jboss-modules.jar"))) {
                    out.add(new JvmProcess(pid, args));
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc unavailable: no candidates.
        }
        out.sort((a, b) -> Long.compare(a.pid(), b.pid()));
        return out;
    }

    /**
     * Picks the server for an IMAP port: the process started with the port offset {@code port - 1143}; with
     * offset 0 also one without any offset; else the first.
     */
    static JvmProcess pickServer(List<JvmProcess> candidates, int imapPort) {
        if (candidates.isEmpty()) {
            return null;
        }
        int offset = imapPort - 1143;
        String wanted = "-Djboss.socket.binding.port-offset=" + offset;
        for (JvmProcess p : candidates) {
            if (p.hasArg(wanted)) {
                return p;
            }
        }
        if (offset == 0) {
            for (JvmProcess p : candidates) {
                if (!p.mentionsPortOffset()) {
                    return p;
                }
            }
        }
        return candidates.get(0);
    }

    static List<String> cmdline(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            return args;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    static boolean exists(long pid) {
        return Files.isReadable(PROC.resolve(Long.toString(pid)).resolve("status"));
    }

    /** A field of /proc/&lt;pid&gt;/status given in kB (e.g. VmRSS, VmHWM), in kB. */
    static OptionalLong statusKb(long pid, String field) {
        String v = statusField(pid, field);
        if (v == null) {
            return OptionalLong.empty();
        }
        String[] parts = v.trim().split("\\s+");
        try {
            return OptionalLong.of(Long.parseLong(parts[0]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Raw value of a /proc/&lt;pid&gt;/status field, or null. */
    static String statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"),
                    StandardCharsets.UTF_8)) {
                if (line.startsWith(field + ":")) {
                    return line.substring(field.length() + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or not readable
        }
        return null;
    }

    /** Soft and hard "Max open files" of a process ("self" or a pid); -1 = unlimited; null when unknown. */
    static long[] maxOpenFiles(String pidOrSelf) {
        try {
            String limits = Files.readString(PROC.resolve(pidOrSelf).resolve("limits"), StandardCharsets.UTF_8);
            Matcher m = MAX_OPEN_FILES.matcher(limits);
            if (m.find()) {
                return new long[] {parseLimit(m.group(1)), parseLimit(m.group(2))};
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return null;
    }

    private static long parseLimit(String s) {
        return "unlimited".equals(s) ? -1 : Long.parseLong(s);
    }

    /** Number of local ephemeral ports (net.ipv4.ip_local_port_range), or -1. */
    static int ephemeralPortCount() {
        try {
            String[] parts = Files.readString(PROC.resolve("sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return Integer.parseInt(parts[1]) - Integer.parseInt(parts[0]) + 1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Number of open file descriptors of a process, or -1 when not readable. */
    static long openFdCount(long pid) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("fd"))) {
            long n = 0;
            for (Path ignored : fds) {
                n++;
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
