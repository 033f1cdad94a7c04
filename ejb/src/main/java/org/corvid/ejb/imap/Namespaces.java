package org.corvid.ejb.imap;

import jakarta.annotation.Resource;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * The IMAP namespaces (RFC 2342) of the caller, in the Cyrus layout with {@code .} as separator: a user's
 * own mailboxes under {@code INBOX.}, other users' under {@code user.}, shared folders at the top. Admins
 * have no personal namespace and see every user under {@code user.}, as in Cyrus. The caller is the identity
 * the adapter runs the command as.
 */
@Stateless
@PermitAll
@DeclareRoles(Namespaces.ADMIN_ROLE)
@SecurityDomain("corvid")
public class Namespaces {
    public static final String ADMIN_ROLE = "corvid-admin";

    @Resource
    private SessionContext context;

    /** The NAMESPACE response line for the calling user. */
    public String namespaceLine() {
        String personal = context.isCallerInRole(ADMIN_ROLE) ? "NIL" : "((\"INBOX.\" \".\"))";
        return "* NAMESPACE " + personal + " ((\"user.\" \".\")) ((\"\" \".\"))";
    }

    /** True if the caller is a Corvid admin (no INBOX; every name as it is). */
    public boolean callerIsAdmin() {
        return context.isCallerInRole(ADMIN_ROLE);
    }

    /** The caller's name, as the container sees it. */
    public String caller() {
        return context.getCallerPrincipal().getName();
    }
}
