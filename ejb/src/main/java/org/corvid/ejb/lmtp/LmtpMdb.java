package org.corvid.ejb.lmtp;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.jca.api.Command;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.LineRequest;
import org.corvid.jca.api.LmtpListener;
import org.corvid.jca.api.OnConnect;
import org.corvid.jca.api.SessionState;
import org.jboss.ejb3.annotation.ResourceAdapter;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * LMTP (RFC 2033). So far only the greeting, NOOP and QUIT: delivery (LHLO, MAIL, RCPT, DATA) comes with
 * the backend; until then every other command is answered {@code 500 5.5.2} by the adapter.
 */
@MessageDriven(name = "LmtpMdb", activationConfig = {
        @ActivationConfigProperty(propertyName = "beanClass", propertyValue = "org.corvid.ejb.lmtp.LmtpMdb"),
        @ActivationConfigProperty(propertyName = "port", propertyValue = "${corvid.lmtp.port:2424}"),
})
@ResourceAdapter("corvid.ear#corvid-jca.rar")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@PermitAll
@SecurityDomain("corvid")
public class LmtpMdb implements LmtpListener {
    @EJB
    private NodeConfig node;

    @OnConnect
    public void greet(Connection c) {
        c.write("220 " + node.serverName() + " Corvid LMTP " + node.version() + " server ready");
    }

    @Command(value = "NOOP", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void noop(LineRequest r, Connection c) {
        c.write("250 2.0.0 Ok");
    }

    @Command(value = "QUIT", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void quit(LineRequest r, Connection c) {
        c.write("221 2.0.0 bye");
        c.setState(SessionState.LOGOUT);
    }
}
