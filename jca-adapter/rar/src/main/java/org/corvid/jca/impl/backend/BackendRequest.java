package org.corvid.jca.impl.backend;

import jakarta.resource.spi.ConnectionRequestInfo;

/** What a caller asks for: the pool keeps a sub-pool per protocol and address (ironjacamar.xml: PoolByCri). */
record BackendRequest(String protocol, String host, int port) implements ConnectionRequestInfo {
    @Override
    public String toString() {
        return protocol + "://" + host + ":" + port;
    }
}
