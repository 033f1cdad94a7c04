package org.corvid.ejb.imap;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import org.jboss.ejb3.annotation.ResourceAdapter;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * IMAP over implicit TLS (IMAPS, RFC 8314): the same commands as {@link ImapMdb} on a second listener
 * whose connections start with the TLS handshake. Not started when {@code corvid.tls.enabled=false}.
 */
@MessageDriven(name = "ImapsMdb", activationConfig = {
        @ActivationConfigProperty(propertyName = "beanClass", propertyValue = "org.corvid.ejb.imap.ImapsMdb"),
        @ActivationConfigProperty(propertyName = "port", propertyValue = "${corvid.imaps.port:1993}"),
        @ActivationConfigProperty(propertyName = "implicitTls", propertyValue = "true"),
})
@ResourceAdapter("corvid.ear#corvid-jca.rar")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
@PermitAll
@SecurityDomain("corvid")
public class ImapsMdb extends ImapMdb {
}
