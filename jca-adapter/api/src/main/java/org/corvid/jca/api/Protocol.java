package org.corvid.jca.api;

import java.util.Set;

/** The protocols the adapter listens for, with the commands a bean must handle to be deployable. */
public enum Protocol {
    IMAP(ImapListener.class, Grammar.TAGGED, Set.of("CAPABILITY", "NOOP", "LOGOUT")),
    MUPDATE(MupdateListener.class, Grammar.TAGGED, Set.of("NOOP", "LOGOUT")),
    LMTP(LmtpListener.class, Grammar.LINE, Set.of("QUIT")),
    POP3(Pop3Listener.class, Grammar.LINE, Set.of("QUIT"));

    /** How a command is framed on the wire. */
    public enum Grammar {
        /** {@code tag NAME args}, with quoted strings, {@code {n}}/{@code {n+}} literals and lists: IMAP, MUPDATE. */
        TAGGED,
        /** {@code NAME rest-of-line}: LMTP, POP3. */
        LINE
    }

    private final Class<?> listener;
    private final Grammar grammar;
    private final Set<String> requiredCommands;

    Protocol(Class<?> listener, Grammar grammar, Set<String> requiredCommands) {
        this.listener = listener;
        this.grammar = grammar;
        this.requiredCommands = requiredCommands;
    }

    public Class<?> listener() {
        return listener;
    }

    public Grammar grammar() {
        return grammar;
    }

    public Set<String> requiredCommands() {
        return requiredCommands;
    }

    public Class<?> requestType() {
        return grammar == Grammar.TAGGED ? TaggedRequest.class : LineRequest.class;
    }

    public static Protocol forListener(Class<?> beanClass) {
        for (Protocol p : values()) {
            if (p.listener.isAssignableFrom(beanClass)) {
                return p;
            }
        }
        throw new IllegalArgumentException(beanClass.getName() + " implements no Corvid listener interface");
    }
}
