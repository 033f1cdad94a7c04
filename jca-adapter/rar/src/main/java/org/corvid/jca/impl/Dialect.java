package org.corvid.jca.impl;

import org.corvid.jca.api.Protocol;
import java.util.Set;
import org.corvid.jca.api.SessionState;

/** How each protocol words the errors the adapter answers by itself, before or instead of the bean. */
enum Dialect {
    IMAP {
        String error(String tag, String message, boolean tooBig) {
            return (tag == null ? "*" : tag) + " BAD " + (tooBig ? "[TOOBIG] " : "") + message;
        }

        String wrongState(String tag, String command, SessionState state, Set<SessionState> valid) {
            if (state == SessionState.NOT_AUTHENTICATED) {
                return tag + " BAD Please login first";
            }
            if (valid.equals(Set.of(SessionState.NOT_AUTHENTICATED))) {
                return tag + " BAD Already logged in";
            }
            return tag + " BAD " + command + " needs a selected mailbox";
        }

        String serverError(String tag) {
            return tag + " NO [SERVERBUG] Internal error, see the server log";
        }

        String bye(String reason) {
            return "* BYE " + reason;
        }
    },
    MUPDATE {
        String error(String tag, String message, boolean tooBig) {
            return (tag == null ? "*" : tag) + " BAD \"" + message + "\"";
        }

        String wrongState(String tag, String command, SessionState state, Set<SessionState> valid) {
            return switch (state) {
                case NOT_AUTHENTICATED -> tag + " BAD \"Please login first\"";
                case SELECTED -> tag + " BAD \"not legal when streaming\"";
                default -> tag + " BAD \"Already authenticated\"";
            };
        }

        String serverError(String tag) {
            return tag + " NO \"Internal error, see the server log\"";
        }

        String bye(String reason) {
            return "* BYE \"" + reason + "\"";
        }
    },
    LMTP {
        String error(String tag, String message, boolean tooBig) {
            return (tooBig ? "500 5.5.6 " : "500 5.5.2 ") + message;
        }

        String wrongState(String tag, String command, SessionState state, Set<SessionState> valid) {
            return "503 5.5.1 " + command + " not allowed now";
        }

        String serverError(String tag) {
            return "451 4.3.0 Internal error, see the server log";
        }

        String bye(String reason) {
            return "421 4.3.2 " + reason;
        }
    },
    POP3 {
        String error(String tag, String message, boolean tooBig) {
            return "-ERR " + message;
        }

        String wrongState(String tag, String command, SessionState state, Set<SessionState> valid) {
            return "-ERR " + command + " not allowed in this state";
        }

        String serverError(String tag) {
            return "-ERR [SYS/TEMP] Internal error, see the server log";
        }

        String bye(String reason) {
            return "-ERR " + reason;
        }
    };

    /** Malformed input ({@code tag} null when none could be read). */
    abstract String error(String tag, String message, boolean tooBig);

    /** {@code command} is known but not valid in {@code state}; it is valid in {@code valid}. */
    abstract String wrongState(String tag, String command, SessionState state, Set<SessionState> valid);

    abstract String serverError(String tag);

    /** A line sent right before the server closes the connection. */
    abstract String bye(String reason);

    /** Said before closing when the server cannot take the connection or the command (overload). */
    String busy() {
        return this == MUPDATE ? "* BYE \"Server Unable\"" : bye("Server busy, try again later");
    }

    String unknownCommand(String tag, String command) {
        return error(tag, "Unrecognized command", false);
    }

    static Dialect of(Protocol protocol) {
        return valueOf(protocol.name());
    }
}
