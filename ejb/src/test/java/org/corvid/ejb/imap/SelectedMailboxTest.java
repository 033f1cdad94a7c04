package org.corvid.ejb.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.corvid.ejb.backend.MessageStore;
import org.junit.jupiter.api.Test;

class SelectedMailboxTest {
    private static MessageStore.Info m(long uid, long modseq, String... flags) {
        return new MessageStore.Info(uid, modseq, Set.of(flags), null, 0, "default", null);
    }

    @Test
    void messageNumbersFollowExpungesAndAppends() {
        List<MessageStore.Info> many = new ArrayList<>();
        for (long uid = 1; uid <= 100; uid++) {
            many.add(m(uid * 2, uid, uid % 2 == 0 ? "\\Seen" : "\\Flagged"));
        }
        SelectedMailbox box = new SelectedMailbox("INBOX", false, many);
        assertEquals(100, box.count());
        assertEquals(2, box.uidAt(1));
        assertEquals(200, box.largestUid());
        assertEquals(50, box.numberOf(100));
        assertEquals(0, box.numberOf(101), "an odd UID was never there");
        assertEquals(50, box.expunged(100));
        assertEquals(0, box.expunged(100), "once");
        assertEquals(99, box.count());
        assertEquals(102, box.uidAt(50), "the next message moved up");
        assertEquals(50, box.numberOf(102));
        assertEquals(101, box.appended(List.of(m(300, 200), m(301, 201))));
        assertEquals(301, box.largestUid());
        assertEquals(List.of(2L, 4L, 6L), box.uids().subList(0, 3));
        assertEquals(99, box.uids().indexOf(300L));
        assertThrows(IndexOutOfBoundsException.class, () -> box.uidAt(102));
    }

    @Test
    void flagNewsIsANewerModseqOrOtherFlagsAtTheSameModseq() {
        SelectedMailbox box = new SelectedMailbox("INBOX", false, List.of(m(1, 5, "\\Seen"), m(2, 6)));
        assertFalse(box.isNews(m(1, 5, "\\Seen")));
        assertTrue(box.isNews(m(1, 5)), "another user's view of \\Seen changed");
        assertTrue(box.isNews(m(2, 7, "\\Answered")));
        assertFalse(box.isNews(m(3, 9)), "unknown to the session: an append, not news");
        box.reported(m(2, 7, "\\Answered"));
        assertFalse(box.isNews(m(2, 7, "\\Answered")));
        box.reported(m(2, 6)); // older: ignored
        assertFalse(box.isNews(m(2, 7, "\\Answered")));
    }
}
