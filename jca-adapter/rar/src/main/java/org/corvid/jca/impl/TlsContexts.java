package org.corvid.jca.impl;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.jboss.logging.Logger;
import org.wildfly.security.x500.cert.SelfSignedX509CertificateAndSigningKey;

/**
 * Server TLS contexts for the listeners. A configured PKCS#12/JKS keystore is used as is; without one, a
 * self-signed development keystore is generated once under {@code ${corvid.data.dir}/tls/} (dev only: clients
 * must be told to trust it).
 */
final class TlsContexts {
    private static final Logger LOG = Logger.getLogger(TlsContexts.class);
    static final String DEV_KEYSTORE_PASSWORD = "corvid-dev";
    private static final Map<String, SslContext> CACHE = new ConcurrentHashMap<>();

    private TlsContexts() {
    }

    static SslContext serverContext(ProtocolActivationSpec spec) {
        String path = spec.getKeystorePath();
        boolean dev = path == null || path.isBlank();
        Path keystore = dev ? devKeystorePath() : Path.of(path);
        char[] password = (dev ? DEV_KEYSTORE_PASSWORD : spec.getKeystorePassword()).toCharArray();
        return CACHE.computeIfAbsent(keystore.toAbsolutePath().toString(), k -> load(keystore, password, dev));
    }

    private static Path devKeystorePath() {
        String dataDir = System.getProperty("corvid.data.dir");
        if (dataDir == null || dataDir.isBlank()) {
            // never a shared place such as /tmp, where another local user could plant a key
            throw new IllegalStateException("corvid.data.dir is not set: configure corvid.tls.keystore or the data dir");
        }
        return Path.of(dataDir, "tls", "dev-keystore.p12").toAbsolutePath().normalize();
    }

    private static SslContext load(Path keystore, char[] password, boolean dev) {
        try {
            if (dev && !Files.exists(keystore)) {
                generateDevKeystore(keystore, password);
            } else if (dev) {
                LOG.warnf("TLS uses the self-signed DEVELOPMENT certificate in %s; configure corvid.tls.keystore for production",
                        keystore);
            }
            KeyStore ks = KeyStore.getInstance(keystore.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            return SslContextBuilder.forServer(kmf).protocols("TLSv1.3", "TLSv1.2").build();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot load TLS keystore " + keystore + ": " + e.getMessage(), e);
        }
    }

    private static void generateDevKeystore(Path keystore, char[] password) throws Exception {
        SelfSignedX509CertificateAndSigningKey cert = SelfSignedX509CertificateAndSigningKey.builder()
                .setDn(new X500Principal("CN=localhost, O=Corvid development"))
                .setKeyAlgorithmName("RSA")
                .setKeySize(2048)
                .setSignatureAlgorithmName("SHA256withRSA")
                .build();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("corvid", cert.getSigningKey(), password,
                new X509Certificate[] {cert.getSelfSignedCertificate()});
        Files.createDirectories(keystore.getParent());
        Path tmp = Files.createTempFile(keystore.getParent(), "dev-keystore", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ks.store(out, password);
        }
        Files.move(tmp, keystore, StandardCopyOption.ATOMIC_MOVE);
        LOG.warnf("Generated a self-signed DEVELOPMENT TLS certificate in %s; configure keystorePath for production",
                keystore);
    }
}
