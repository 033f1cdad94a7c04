package org.corvid.jca.impl;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;
import org.corvid.jca.api.Protocol;

/**
 * Activation of one protocol listener by one MDB. Every property can be set from the MDB's
 * {@code @ActivationConfigProperty} (with {@code ${...}} expressions) or a descriptor; bind address and TLS
 * default to the node-wide {@code corvid.bind.address} and {@code corvid.tls.*} system properties.
 * {@link #validate()} loads the bean class and builds its {@link CommandMap}, so a bean with a missing or
 * duplicate handler fails deployment.
 */
public class ProtocolActivationSpec implements ActivationSpec {
    private ResourceAdapter resourceAdapter;

    private String beanClass;
    // Node-wide defaults (system properties set by configure-server.cli or -D); an MDB may override each.
    private String bindAddress = System.getProperty("corvid.bind.address", "0.0.0.0");
    private Integer port;
    // Limits and timeouts an MDB leaves unset get the protocol's defaults (see applyDefaults).
    private Integer maxConnections;
    private Integer maxLineLengthBeforeAuth;
    private Integer maxLineLength;
    private Integer maxLiteralSizeBeforeAuth;
    private Integer maxLiteralSize;
    private Integer idleTimeoutSeconds;
    /** A connection not authenticated after this many seconds is closed (0: never). */
    private Integer loginTimeoutSeconds;
    private Boolean implicitTls = false;
    private Boolean tlsEnabled = Boolean.parseBoolean(System.getProperty("corvid.tls.enabled", "true"));
    private String keystorePath = System.getProperty("corvid.tls.keystore", "");
    private String keystorePassword = System.getProperty("corvid.tls.keystore-password", "");

    private CommandMap commandMap;

    @Override
    public void validate() throws InvalidPropertyException {
        if (beanClass == null || beanClass.isBlank()) {
            throw new InvalidPropertyException("beanClass is required (the MDB's class name)");
        }
        if (port == null || port < 0 || port > 65535) {
            throw new InvalidPropertyException("port must be 0..65535, was " + port);
        }
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            commandMap = CommandMap.of(Class.forName(beanClass, false, loader));
        } catch (ClassNotFoundException e) {
            throw new InvalidPropertyException("beanClass " + beanClass + " not found", e);
        } catch (IllegalArgumentException e) {
            throw new InvalidPropertyException(e.getMessage(), e);
        }
        applyDefaults(commandMap.protocol());
        if (maxLineLengthBeforeAuth < 256 || maxLineLength < maxLineLengthBeforeAuth) {
            throw new InvalidPropertyException("need 256 <= maxLineLengthBeforeAuth <= maxLineLength");
        }
        if (maxLiteralSizeBeforeAuth < 0 || maxLiteralSize < maxLiteralSizeBeforeAuth) {
            throw new InvalidPropertyException("need 0 <= maxLiteralSizeBeforeAuth <= maxLiteralSize");
        }
    }

    /** The validated command map; built on first use if the container skipped {@link #validate()}. */
    CommandMap commandMap(Class<?> endpointClass) {
        if (commandMap == null) {
            commandMap = CommandMap.of(endpointClass);
            applyDefaults(commandMap.protocol());
        }
        return commandMap;
    }

    /**
     * Fills what the MDB left unset: the node-wide {@code corvid.<protocol>.<setting>} system property if set,
     * else the protocol's default (IMAP: 8 KiB lines and literals before login, then 64 KiB lines and 64 MiB
     * literals, 30 min idle; MUPDATE: 1 MiB literals, no idle timeout, 60 s to log in; LMTP: 4 KiB lines,
     * 5 min idle; POP3: 1 KiB lines, 10 min idle).
     */
    private void applyDefaults(Protocol p) {
        String prefix = "corvid." + p.name().toLowerCase(java.util.Locale.ROOT) + ".";
        int lineBefore = switch (p) {
            case POP3 -> 1024;
            case LMTP -> 4096;
            default -> 8192;
        };
        maxConnections = orDefault(maxConnections, prefix + "max-connections", 10_000);
        maxLineLengthBeforeAuth = orDefault(maxLineLengthBeforeAuth, prefix + "max-line-before-auth", lineBefore);
        maxLineLength = orDefault(maxLineLength, prefix + "max-line", p.grammar() == Protocol.Grammar.TAGGED ? 65_536 : lineBefore);
        maxLiteralSizeBeforeAuth = orDefault(maxLiteralSizeBeforeAuth, prefix + "max-literal-before-auth", 8192);
        maxLiteralSize = orDefault(maxLiteralSize, prefix + "max-literal", switch (p) {
            case IMAP -> 64 * 1024 * 1024;
            case MUPDATE -> 1024 * 1024;
            default -> 8192;
        });
        idleTimeoutSeconds = orDefault(idleTimeoutSeconds, prefix + "idle-timeout", switch (p) {
            case IMAP -> 1800;
            case POP3 -> 600;
            case LMTP -> 300;
            case MUPDATE -> 0; // UPDATE streams are idle for long
        });
        loginTimeoutSeconds = orDefault(loginTimeoutSeconds, prefix + "login-timeout", p == Protocol.MUPDATE ? 60 : 0);
    }

    private static Integer orDefault(Integer set, String property, int fallback) {
        return set != null ? set : Integer.getInteger(property, fallback);
    }

    Protocol protocol() {
        return commandMap.protocol();
    }

    /** The port actually bound: the configured port shifted by WildFly's socket binding port offset. */
    int effectivePort() {
        return port == 0 ? 0 : port + Integer.getInteger("jboss.socket.binding.port-offset", 0);
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) throws ResourceException {
        this.resourceAdapter = ra;
    }

    public String getBeanClass() { return beanClass; }
    public void setBeanClass(String beanClass) { this.beanClass = beanClass; }
    public String getBindAddress() { return bindAddress; }
    public void setBindAddress(String bindAddress) { this.bindAddress = bindAddress; }
    public Integer getPort() { return port; }
    public void setPort(Integer port) { this.port = port; }
    public Integer getMaxConnections() { return maxConnections; }
    public void setMaxConnections(Integer maxConnections) { this.maxConnections = maxConnections; }
    public Integer getMaxLineLengthBeforeAuth() { return maxLineLengthBeforeAuth; }
    public void setMaxLineLengthBeforeAuth(Integer v) { this.maxLineLengthBeforeAuth = v; }
    public Integer getMaxLineLength() { return maxLineLength; }
    public void setMaxLineLength(Integer maxLineLength) { this.maxLineLength = maxLineLength; }
    public Integer getMaxLiteralSizeBeforeAuth() { return maxLiteralSizeBeforeAuth; }
    public void setMaxLiteralSizeBeforeAuth(Integer v) { this.maxLiteralSizeBeforeAuth = v; }
    public Integer getMaxLiteralSize() { return maxLiteralSize; }
    public void setMaxLiteralSize(Integer maxLiteralSize) { this.maxLiteralSize = maxLiteralSize; }
    public Integer getIdleTimeoutSeconds() { return idleTimeoutSeconds; }
    public void setIdleTimeoutSeconds(Integer idleTimeoutSeconds) { this.idleTimeoutSeconds = idleTimeoutSeconds; }
    public Integer getLoginTimeoutSeconds() { return loginTimeoutSeconds; }
    public void setLoginTimeoutSeconds(Integer loginTimeoutSeconds) { this.loginTimeoutSeconds = loginTimeoutSeconds; }
    public Boolean getImplicitTls() { return implicitTls; }
    public void setImplicitTls(Boolean implicitTls) { this.implicitTls = implicitTls; }
    public Boolean getTlsEnabled() { return tlsEnabled; }
    public void setTlsEnabled(Boolean tlsEnabled) { this.tlsEnabled = tlsEnabled; }
    public String getKeystorePath() { return keystorePath; }
    public void setKeystorePath(String keystorePath) { this.keystorePath = keystorePath; }
    public String getKeystorePassword() { return keystorePassword; }
    public void setKeystorePassword(String keystorePassword) { this.keystorePassword = keystorePassword; }
}
