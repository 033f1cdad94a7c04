package org.corvid.ejb.security;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.Stateless;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;
import org.wildfly.security.auth.server.RealmUnavailableException;
import org.wildfly.security.auth.server.ServerAuthenticationContext;
import org.wildfly.security.auth.server.SecurityIdentity;
import org.wildfly.security.evidence.PasswordGuessEvidence;

/**
 * Checks a user name and password against the Elytron security domain bound to this module
 * ({@code corvid} → {@code CorvidDomain}) and returns the identity later commands run as. Failures are
 * results (null), not exceptions, so nothing rolls back or logs at ERROR for a wrong password.
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class Authenticator {
    private static final Logger LOG = Logger.getLogger(Authenticator.class);

    /**
     * @param authzid the identity to act as (SASL authorization id), or null/empty for {@code authcid} itself;
     *                acting as someone else needs the domain's run-as permission (proxy servers)
     * @return the authorized identity, or null if the credentials or the authorization are refused
     */
    public SecurityIdentity authenticate(String authcid, String password, String authzid) {
        if (authcid == null || authcid.isEmpty() || password == null) {
            return null;
        }
        ServerAuthenticationContext ctx = org.wildfly.security.auth.server.SecurityDomain.getCurrent()
                .createNewAuthenticationContext();
        try {
            ctx.setAuthenticationName(authcid);
            boolean ok = ctx.exists() && ctx.verifyEvidence(new PasswordGuessEvidence(password.toCharArray()));
            if (ok) {
                ok = authzid == null || authzid.isEmpty() || authzid.equals(authcid)
                        ? ctx.authorize()
                        : ctx.authorize(authzid);
            }
            if (!ok) {
                ctx.fail();
                return null;
            }
            ctx.succeed();
            return ctx.getAuthorizedIdentity();
        } catch (RealmUnavailableException e) {
            LOG.errorf("Security realm unavailable while authenticating: %s", e.getMessage());
            ctx.fail();
            return null;
        }
    }
}
