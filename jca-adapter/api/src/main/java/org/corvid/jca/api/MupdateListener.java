package org.corvid.jca.api;

/**
 * Message listener interface of the MUPDATE listener: an MDB implementing it is bound to the adapter's MUPDATE
 * socket. It declares no methods; the bean's {@link Command} methods are its commands.
 */
public interface MupdateListener {
}
