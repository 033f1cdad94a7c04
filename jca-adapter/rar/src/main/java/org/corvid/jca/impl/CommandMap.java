package org.corvid.jca.impl;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.corvid.jca.api.Command;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.OnConnect;
import org.corvid.jca.api.Protocol;
import org.corvid.jca.api.SessionState;

/**
 * The commands of one MDB: command name → handler method and the states it is valid in. Built once from the
 * bean class; refuses beans with duplicate, badly typed or missing handlers.
 */
public final class CommandMap {

    /** One command handler. */
    public record Handler(String name, Method method, Set<SessionState> states, boolean pipelined) {
        boolean validIn(SessionState state) {
            return states.contains(state);
        }
    }

    private final Protocol protocol;
    private final Map<String, Handler> handlers;
    private final Method onConnect;

    private CommandMap(Protocol protocol, Map<String, Handler> handlers, Method onConnect) {
        this.protocol = protocol;
        this.handlers = Map.copyOf(handlers);
        this.onConnect = onConnect;
    }

    public static CommandMap of(Class<?> beanClass) {
        Protocol protocol = Protocol.forListener(beanClass);
        Map<String, Handler> handlers = new HashMap<>();
        List<String> problems = new ArrayList<>();
        Method onConnect = null;
        for (Method m : beanClass.getMethods()) {
            if (m.isAnnotationPresent(OnConnect.class)) {
                if (onConnect != null) {
                    problems.add("two @OnConnect methods: " + onConnect.getName() + ", " + m.getName());
                } else if (m.getParameterCount() != 1 || m.getParameterTypes()[0] != Connection.class) {
                    problems.add("@OnConnect " + m.getName() + " must take (Connection)");
                } else {
                    onConnect = m;
                }
            }
            Command command = m.getAnnotation(Command.class);
            if (command == null) {
                continue;
            }
            String name = command.value().toUpperCase(Locale.ROOT);
            Class<?>[] params = m.getParameterTypes();
            if (params.length != 2 || params[0] != protocol.requestType() || params[1] != Connection.class) {
                problems.add(name + ": " + m.getName() + " must take (" + protocol.requestType().getSimpleName()
                        + ", Connection)");
            } else if (Modifier.isStatic(m.getModifiers())) {
                problems.add(name + ": " + m.getName() + " must not be static");
            } else if (command.states().length == 0) {
                problems.add(name + ": no valid states");
            } else if (handlers.containsKey(name)) {
                problems.add(name + ": handled twice (" + handlers.get(name).method().getName() + ", " + m.getName() + ")");
            } else {
                handlers.put(name, new Handler(name, m, EnumSet.copyOf(List.of(command.states())), command.pipelined()));
            }
        }
        Set<String> missing = new TreeSet<>(protocol.requiredCommands());
        missing.removeAll(handlers.keySet());
        if (!missing.isEmpty()) {
            problems.add("no handler for " + missing);
        }
        if (onConnect == null) {
            problems.add("no @OnConnect method writing the greeting");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(beanClass.getName() + " is not a valid " + protocol + " bean: "
                    + String.join("; ", problems));
        }
        return new CommandMap(protocol, handlers, onConnect);
    }

    public Protocol protocol() {
        return protocol;
    }

    /** The handler of {@code name} (any case), or null. */
    public Handler handler(String name) {
        return handlers.get(name.toUpperCase(Locale.ROOT));
    }

    public Method onConnect() {
        return onConnect;
    }

    public Set<String> commandNames() {
        return new TreeSet<>(handlers.keySet());
    }
}
