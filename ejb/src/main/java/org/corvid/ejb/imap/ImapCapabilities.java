package org.corvid.ejb.imap;

import java.util.ArrayList;
import java.util.List;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.SessionState;

/**
 * The capability list a connection is offered, which depends on its state. Only what works is advertised;
 * each capability here has its handler in {@link ImapMdb}.
 */
final class ImapCapabilities {
    private ImapCapabilities() {
    }

    static String of(Connection c, boolean allowPlaintext, boolean referrals) {
        List<String> caps = new ArrayList<>(List.of("IMAP4rev1", "LITERAL+", "ID", "ENABLE", "NAMESPACE"));
        if (c.state() != SessionState.NOT_AUTHENTICATED) {
            caps.addAll(List.of("CHILDREN", "UNSELECT", "UIDPLUS", "MOVE", "IDLE", "ACL", "RIGHTS=kxten", "QUOTA",
                    "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "QUOTA=RES-MAILBOX", "CONDSTORE", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE",
                    "CREATE-SPECIAL-USE", "UNAUTHENTICATE", "METADATA"));
            if (referrals) {
                caps.add("MAILBOX-REFERRALS");
            }
        }
        if (c.state() == SessionState.NOT_AUTHENTICATED) {
            caps.add("SASL-IR");
            if (c.isTlsAvailable()) {
                caps.add("STARTTLS");
            }
            if (allowPlaintext || c.isSecure()) {
                caps.add("AUTH=PLAIN");
            } else {
                caps.add("LOGINDISABLED");
            }
        }
        return String.join(" ", caps);
    }
}
