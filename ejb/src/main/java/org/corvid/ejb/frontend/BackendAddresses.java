package org.corvid.ejb.frontend;

import java.util.Locale;

/**
 * Where a backend named in the mailbox list ({@code server!partition}) listens. {@code corvid.backends} lists
 * them ({@code name=host[:imapPort[:lmtpPort[:pop3Port[:httpPort]]]]}, comma-separated; environment {@code CORVID_BACKENDS}); a
 * server not listed is taken as a host name with the default ports (1143, 2424, 1110, 8080), as Cyrus frontends take the
 * server part of a location as the backend's host name. Read at each use, so a backend added with the CLI
 * takes effect without a restart.
 */
public final class BackendAddresses {
    public static final int DEFAULT_IMAP = 1143;
    public static final int DEFAULT_LMTP = 2424;
    public static final int DEFAULT_POP3 = 1110;
    /** A backend's HTTP port: the REST API, and the moves' transfers between backends. */
    public static final int DEFAULT_HTTP = 8080;

    private BackendAddresses() {
    }

    /** A backend's host and ports. */
    public record Address(String server, String host, int imapPort, int lmtpPort, int pop3Port, int httpPort) {
    }

    /** The servers listed in {@code corvid.backends}, in order. */
    public static java.util.List<String> configured() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String entry : System.getProperty("corvid.backends", "").split(",")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                names.add(entry.substring(0, eq).trim());
            }
        }
        return names;
    }

    /** The address of {@code server}. */
    public static Address of(String server) {
        String list = System.getProperty("corvid.backends", "");
        for (String entry : list.split(",")) {
            int eq = entry.indexOf('=');
            if (eq > 0 && entry.substring(0, eq).trim().equalsIgnoreCase(server)) {
                String[] parts = entry.substring(eq + 1).trim().split(":");
                int imap = parts.length > 1 && !parts[1].isEmpty() ? Integer.parseInt(parts[1]) : DEFAULT_IMAP;
                int lmtp = parts.length > 2 && !parts[2].isEmpty() ? Integer.parseInt(parts[2]) : DEFAULT_LMTP;
                int pop3 = parts.length > 3 && !parts[3].isEmpty() ? Integer.parseInt(parts[3]) : DEFAULT_POP3;
                int http = parts.length > 4 && !parts[4].isEmpty() ? Integer.parseInt(parts[4]) : DEFAULT_HTTP;
                return new Address(server, parts[0], imap, lmtp, pop3, http);
            }
        }
        return new Address(server, server.toLowerCase(Locale.ROOT), DEFAULT_IMAP, DEFAULT_LMTP, DEFAULT_POP3,
                DEFAULT_HTTP);
    }
}
