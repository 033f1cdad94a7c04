package org.corvid.ejb.mupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.corvid.persistence.mupdate.MailboxState;
import org.junit.jupiter.api.Test;

class MupdateWireTest {

    @Test
    void activeEntryIsThreeLiteralsAndARawAcl() {
        assertEquals(List.of("U01 MAILBOX {10+}", "user.alice {16+}", "backend1!default {21+}", "alice\tlrswipkxtecdan\t"),
                MupdateWire.record("U01", new MupdateRecord("user.alice", "backend1!default",
                        "alice\tlrswipkxtecdan\t", MailboxState.ACTIVE)));
    }

    @Test
    void reservationHasNoAcl() {
        assertEquals(List.of("F1 RESERVE {10+}", "user.carol {16+}", "backend2!default"),
                MupdateWire.record("F1", new MupdateRecord("user.carol", "backend2!default", "", MailboxState.RESERVED)));
    }

    @Test
    void literalLengthsCountUtf8Bytes() {
        assertEquals(List.of("U1 DELETE {12+}", "user.jürgen"), MupdateWire.delete("U1", "user.jürgen"));
    }

    @Test
    void aChangeConcernsASubscriberIfTheOldOrNewServerIsWatched() {
        MupdateRecord onB2 = new MupdateRecord("user.x", "b2!p", "", MailboxState.RESERVED);
        MupdateChange moved = new MupdateChange("user.x", onB2, "b1");
        assertTrue(moved.concerns(Set.of()));
        assertTrue(moved.concerns(Set.of("b1")));
        assertTrue(moved.concerns(Set.of("b2")));
        assertFalse(moved.concerns(Set.of("b3")));
        assertTrue(new MupdateChange("user.x", null, "b1").concerns(Set.of("b1")), "a deletion on a watched host");
        assertEquals("b2", onB2.server());
        assertEquals("b9", new MupdateRecord("n", "b9", "", MailboxState.ACTIVE).server(), "location without !");
    }
}
