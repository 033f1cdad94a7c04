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
    private Integer maxConnections = 10_000;
    private Integer maxLineLengthBeforeAuth = 8 * 1024;
    private Integer maxLineLength = 64 * 1024;
    private Integer maxLiteralSizeBeforeAuth = 8 * 1024;
    private Integer maxLiteralSize = 64 * 1024 * 1024;
    private Integer idleTimeoutSeconds = 1800;
    /** A connection not authenticated after this many seconds is closed (0: never). */
    private Integer loginTimeoutSeconds = 0;
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
        if (maxLineLengthBeforeAuth < 256 || maxLineLength < maxLineLengthBeforeAuth) {
            throw new InvalidPropertyException("need 256 <= maxLineLengthBeforeAuth <= maxLineLength");
        }
        if (maxLiteralSizeBeforeAuth < 0 || maxLiteralSize < maxLiteralSizeBeforeAuth) {
            throw new InvalidPropertyException("need 0 <= maxLiteralSizeBeforeAuth <= maxLiteralSize");
        }
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            commandMap = CommandMap.of(Class.forName(beanClass, false, loader));
        } catch (ClassNotFoundException e) {
            throw new InvalidPropertyException("beanClass " + beanClass + " not found", e);
        } catch (IllegalArgumentException e) {
            throw new InvalidPropertyException(e.getMessage(), e);
        }
    }

    /** The validated command map; built on first use if the container skipped {@link #validate()}. */
    CommandMap commandMap(Class<?> endpointClass) {
        if (commandMap == null) {
            commandMap = CommandMap.of(endpointClass);
        }
        return commandMap;
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
