package org.corvid.jca.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.corvid.jca.api.Command;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.ImapListener;
import org.corvid.jca.api.LineRequest;
import org.corvid.jca.api.LmtpListener;
import org.corvid.jca.api.OnConnect;
import org.corvid.jca.api.Protocol;
import org.corvid.jca.api.SessionState;
import org.corvid.jca.api.TaggedRequest;
import org.junit.jupiter.api.Test;

class CommandMapTest {

    public static class MinimalImap implements ImapListener {
        @OnConnect public void greet(Connection c) { }
        @Command("CAPABILITY") public void capability(TaggedRequest r, Connection c) { }
        @Command("noop") public void noop(TaggedRequest r, Connection c) { }
        @Command("LOGOUT") public void logout(TaggedRequest r, Connection c) { }
        @Command(value = "LOGIN", states = SessionState.NOT_AUTHENTICATED) public void login(TaggedRequest r, Connection c) { }
    }

    public static class Duplicate extends MinimalImap {
        @Command("NOOP") public void noopAgain(TaggedRequest r, Connection c) { }
    }

    public static class MissingLogout implements ImapListener {
        @OnConnect public void greet(Connection c) { }
        @Command("CAPABILITY") public void capability(TaggedRequest r, Connection c) { }
        @Command("NOOP") public void noop(TaggedRequest r, Connection c) { }
    }

    public static class WrongParameters extends MinimalImap {
        @Command("SELECT") public void select(LineRequest r, Connection c) { }
    }

    public static class NoGreeting implements LmtpListener {
        @Command("QUIT") public void quit(LineRequest r, Connection c) { }
    }

    public static class NotAListener {
        @OnConnect public void greet(Connection c) { }
    }

    @Test
    void buildsTheMapWithCaseInsensitiveNamesAndStates() {
        CommandMap map = CommandMap.of(MinimalImap.class);
        assertEquals(Protocol.IMAP, map.protocol());
        assertEquals(Set.of("CAPABILITY", "NOOP", "LOGOUT", "LOGIN"), map.commandNames());
        assertNotNull(map.handler("noop"));
        assertNull(map.handler("SELECT"));
        assertEquals(Set.of(SessionState.NOT_AUTHENTICATED), map.handler("login").states());
        assertTrue(map.handler("NOOP").validIn(SessionState.SELECTED));
        assertEquals("greet", map.onConnect().getName());
    }

    @Test
    void refusesADuplicateHandler() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandMap.of(Duplicate.class));
        assertTrue(e.getMessage().contains("NOOP: handled twice"), e.getMessage());
    }

    @Test
    void refusesABeanMissingARequiredCommand() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandMap.of(MissingLogout.class));
        assertTrue(e.getMessage().contains("no handler for [LOGOUT]"), e.getMessage());
    }

    @Test
    void refusesAHandlerWithTheWrongRequestType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandMap.of(WrongParameters.class));
        assertTrue(e.getMessage().contains("SELECT: select must take (TaggedRequest, Connection)"), e.getMessage());
    }

    @Test
    void refusesABeanWithoutGreeting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandMap.of(NoGreeting.class));
        assertTrue(e.getMessage().contains("no @OnConnect"), e.getMessage());
    }

    @Test
    void refusesAClassThatIsNoListener() {
        assertThrows(IllegalArgumentException.class, () -> CommandMap.of(NotAListener.class));
    }

    @Test
    void activationSpecValidationFailsDeploymentForABadBean() {
        ProtocolActivationSpec spec = new ProtocolActivationSpec();
        spec.setPort(1143);
        spec.setBeanClass(Duplicate.class.getName());
        assertThrows(jakarta.resource.spi.InvalidPropertyException.class, spec::validate);
        spec.setBeanClass("org.example.Missing");
        assertThrows(jakarta.resource.spi.InvalidPropertyException.class, spec::validate);
        spec.setBeanClass(MinimalImap.class.getName());
        spec.setPort(70000);
        assertThrows(jakarta.resource.spi.InvalidPropertyException.class, spec::validate);
    }
}
