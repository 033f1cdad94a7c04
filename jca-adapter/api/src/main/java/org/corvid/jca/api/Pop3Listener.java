package org.corvid.jca.api;

/**
 * Message listener interface of the POP3 listener: an MDB implementing it is bound to the adapter's POP3
 * socket. It declares no methods; the bean's {@link Command} methods are its commands.
 */
public interface Pop3Listener {
}
