package org.corvid.jca.api;

/**
 * Message listener interface of the IMAP listener: an MDB implementing it is bound to the adapter's IMAP
 * socket. It declares no methods; the bean's {@link Command} methods are its commands.
 */
public interface ImapListener {
}
