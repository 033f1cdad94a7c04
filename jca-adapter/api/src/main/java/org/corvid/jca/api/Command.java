package org.corvid.jca.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an MDB method as the handler of one protocol command. The method takes the protocol's request
 * ({@link TaggedRequest} or {@link LineRequest}) and the {@link Connection}, and answers through the
 * connection. The adapter only calls it in one of {@link #states()}; anything else gets the protocol's
 * "wrong state" error without reaching the bean.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Command {
    /** Command name, case-insensitive on the wire (e.g. {@code "LOGIN"}). */
    String value();

    /** States in which the command is valid. */
    SessionState[] states() default {SessionState.NOT_AUTHENTICATED, SessionState.AUTHENTICATED, SessionState.SELECTED};

    /**
     * True if the command may start while earlier commands' answers are still deferred
     * ({@link Connection#deferReply()}), e.g. a MUPDATE write after another write. Other commands wait until
     * every deferred answer is written, so they see the effect of the commands before them.
     */
    boolean pipelined() default false;
}
