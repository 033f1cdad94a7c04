package org.corvid.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Command line options of {@link ImapConnectionBench}; every option is {@code --key=value}.
 */
final class BenchConfig {

    static final String USAGE = String.join("\n",
            "usage: java -jar corvid-bench.jar [--key=value ...]",
            "  --host=127.0.0.1        IMAP host; must be loopback or a server you operate",
            "  --port=1143             IMAP port",
            "  --connections=5000      number of connections to open and log in",
            "  --user=alice            LOGIN user",
            "  --password=alice        LOGIN password",
            "  --ramp=500              max connection attempts in flight at once",
            "  --hold-seconds=10       keep all connections open this long before measuring and closing",
            "  --server-pid=           server JVM pid for RSS; default: the jboss-modules.jar process found in /proc",
            "  --health-url=http://127.0.0.1:8080/api/health   fetched after the hold; empty to skip",
            "  --help                  print this text");

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("host", "127.0.0.1");
        DEFAULTS.put("port", "1143");
        DEFAULTS.put("connections", "5000");
        DEFAULTS.put("user", "alice");
        DEFAULTS.put("password", "alice");
        DEFAULTS.put("ramp", "500");
        DEFAULTS.put("hold-seconds", "10");
        DEFAULTS.put("server-pid", "");
        DEFAULTS.put("health-url", "http://127.0.0.1:8080/api/health");
    }

    final String host;
    final int port;
    final int connections;
    final String user;
    final String password;
    final int ramp;
    final int holdSeconds;
    /** 0 when not given. */
    final long serverPid;
    /** Empty when the health check is skipped. */
    final String healthUrl;

    private BenchConfig(Map<String, String> v) {
        host = require(v.get("host"), "host");
        port = intIn(v, "port", 1, 65535);
        connections = intIn(v, "connections", 1, 1_000_000);
        user = require(v.get("user"), "user");
        password = v.get("password");
        ramp = intIn(v, "ramp", 1, 1_000_000);
        holdSeconds = intIn(v, "hold-seconds", 0, 3600);
        String pid = v.get("server-pid").trim();
        if (pid.isEmpty()) {
            serverPid = 0;
        } else {
            try {
                serverPid = Long.parseLong(pid);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--server-pid must be a number: " + pid);
            }
            if (serverPid <= 0) {
                throw new IllegalArgumentException("--server-pid must be positive: " + pid);
            }
        }
        healthUrl = v.get("health-url").trim();
    }

    /** Returns null when --help was given. */
    static BenchConfig parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            }
            if (!arg.startsWith("--") || arg.indexOf('=') < 0) {
                throw new IllegalArgumentException("expected --key=value, got: " + arg);
            }
            int eq = arg.indexOf('=');
            String key = arg.substring(2, eq);
            if (!DEFAULTS.containsKey(key)) {
                throw new IllegalArgumentException("unknown option --" + key);
            }
            values.put(key, arg.substring(eq + 1));
        }
        return new BenchConfig(values);
    }

    private static String require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + key + " must not be empty");
        }
        return value.trim();
    }

    private static int intIn(Map<String, String> v, String key, int min, int max) {
        String raw = v.get(key).trim();
        int n;
        try {
            n = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be an integer: " + raw);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("--" + key + " must be in [" + min + ", " + max + "]: " + n);
        }
        return n;
    }
}
