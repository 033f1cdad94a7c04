package org.corvid.ejb.pop3;

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
import org.corvid.jca.api.OnConnect;
import org.corvid.jca.api.Pop3Listener;
import org.corvid.jca.api.SessionState;
import org.jboss.ejb3.annotation.ResourceAdapter;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * POP3 (RFC 1939). So far only the greeting, NOOP and QUIT; the maildrop commands come with the backend.
 */
@MessageDriven(name = "Pop3Mdb", activationConfig = {
        @ActivationConfigProperty(propertyName = "beanClass", propertyValue = "org.corvid.ejb.pop3.Pop3Mdb"),
        @ActivationConfigProperty(propertyName = "port", propertyValue = "${corvid.pop3.port:1110}"),
})
@ResourceAdapter("corvid.ear#corvid-jca.rar")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@PermitAll
@SecurityDomain("corvid")
public class Pop3Mdb implements Pop3Listener {
    @EJB
    private NodeConfig node;

    @OnConnect
    public void greet(Connection c) {
        c.write("+OK " + node.serverName() + " Corvid POP3 " + node.version() + " server ready");
    }

    @Command(value = "NOOP", states = SessionState.AUTHENTICATED)
    public void noop(LineRequest r, Connection c) {
        c.write("+OK");
    }

    @Command(value = "QUIT", states = {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED})
    public void quit(LineRequest r, Connection c) {
        c.write("+OK bye");
        c.setState(SessionState.LOGOUT);
    }
}
