package org.corvid.ejb.mupdate;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.jca.api.Command;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.MupdateListener;
import org.corvid.jca.api.OnConnect;
import org.corvid.jca.api.SessionState;
import org.corvid.jca.api.TaggedRequest;
import org.jboss.ejb3.annotation.ResourceAdapter;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * MUPDATE (RFC 3656), worded as Cyrus words it. So far the banner, NOOP and LOGOUT; the master's commands
 * (AUTHENTICATE, RESERVE, ACTIVATE, ..., UPDATE) come with the MUPDATE issue. Until then the banner offers
 * no AUTH mechanism, because none works yet.
 */
@MessageDriven(name = "MupdateMdb", activationConfig = {
        @ActivationConfigProperty(propertyName = "beanClass", propertyValue = "org.corvid.ejb.mupdate.MupdateMdb"),
        @ActivationConfigProperty(propertyName = "port", propertyValue = "${corvid.mupdate.port:3905}"),
        @ActivationConfigProperty(propertyName = "idleTimeoutSeconds", propertyValue = "0"),
})
@ResourceAdapter("corvid.ear#corvid-jca.rar")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@PermitAll
@SecurityDomain("corvid")
public class MupdateMdb implements MupdateListener {

    @EJB
    private NodeConfig node;

    @OnConnect
    public void greet(Connection c) {
        c.write("* OK MUPDATE \"" + node.serverName() + "\" \"Corvid\" \"" + node.version() + "\" \"(master)\"");
    }

    @Command(value = "NOOP")
    public void noop(TaggedRequest r, Connection c) {
        c.write(r.tag() + " OK \"Noop done\"");
    }

    @Command(value = "LOGOUT")
    public void logout(TaggedRequest r, Connection c) {
        c.write(r.tag() + " OK \"bye-bye\"");
        c.setState(SessionState.LOGOUT);
    }
}
