package org.corvid.ejb.frontend;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The principal a frontend authenticates as to backends ({@code corvid.proxy.user}/{@code corvid.proxy.password},
 * by default the MUPDATE principal), and its SASL PLAIN message: with an authorization id it acts for that user,
 * as Cyrus frontends do with {@code proxyservers} (on a Corvid backend, roles {@code corvid-frontend} or
 * {@code corvid-admin} carry the run-as permission).
 */
final class ProxyCredentials {
    private ProxyCredentials() {
    }

    static String user() {
        return System.getProperty("corvid.proxy.user", System.getProperty("corvid.mupdate.user", ""));
    }

    private static String password() {
        return System.getProperty("corvid.proxy.password", System.getProperty("corvid.mupdate.password", ""));
    }

    /** Base64 SASL PLAIN for {@code authzid} (empty: the proxy principal itself). */
    static String plain(String authzid) {
        return Base64.getEncoder().encodeToString((authzid + "\0" + user() + "\0" + password())
                .getBytes(StandardCharsets.UTF_8));
    }
}
