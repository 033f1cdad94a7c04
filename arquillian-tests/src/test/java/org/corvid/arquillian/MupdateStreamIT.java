package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.SocketTimeoutException;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** UPDATE streaming between two MUPDATE connections: full dump, pushed changes, host filter, NOOP barrier. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MupdateStreamIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    private static LineClient writer() throws Exception {
        return LineClient.mupdate(LineClient.MURDER);
    }

    private static LineClient reader() throws Exception {
        return LineClient.mupdate(LineClient.FRONTEND);
    }

    /**
     * Pipelined writes on one connection share group commits (their answers are deferred), yet every answer
     * comes in command order and a FIND pipelined behind them sees their effect.
     */
    @Test
    void pipelinedWritesAnswerInOrderAndAFindBehindThemSeesThem() throws Exception {
        try (LineClient w = writer()) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                batch.append("R").append(i).append(" RESERVE \"user.pipe").append(i).append("\" \"pb1!default\"\r\n");
                batch.append("A").append(i).append(" ACTIVATE \"user.pipe").append(i).append("\" \"pb1!default\" \"\"\r\n");
            }
            batch.append("X1 RESERVE \"user.pipe0\" \"pb2!default\"\r\n");
            batch.append("F1 FIND \"user.pipe49\"\r\nD1 DELETE \"user.pipe49\"\r\nF2 FIND \"user.pipe49\"");
            w.send(batch.toString());
            for (int i = 0; i < 50; i++) {
                assertEquals("R" + i + " OK \"done\"", w.read());
                assertEquals("A" + i + " OK \"done\"", w.read());
            }
            assertEquals("X1 NO \"mailbox already exists\"", w.read());
            assertEquals("F1 MAILBOX {11+}", w.read());
            assertEquals("user.pipe49 {11+}", w.read());
            assertEquals("pb1!default {0+}", w.read());
            assertEquals("", w.read());
            assertEquals("F1 OK \"Search completed\"", w.read());
            assertEquals("D1 OK \"done\"", w.read());
            assertEquals("F2 OK \"Search completed\"", w.read());
        }
    }

    /**
     * A name deleted, made again, deleted and made again by pipelined writes, which may share a group commit (a
     * batch reads its entries once, then sees its own changes): every answer is that of the writes applied one
     * after the other.
     */
    @Test
    void aNameDeletedAndMadeAgainWithinOnePipelinedBatch() throws Exception {
        try (LineClient w = writer()) {
            w.send("A1 ACTIVATE \"user.again\" \"ab1!default\" \"\"");
            assertEquals("A1 OK \"done\"", w.read());
            w.send("D1 DELETE \"user.again\"\r\nR1 RESERVE \"user.again\" \"ab2!default\"\r\n"
                    + "R2 RESERVE \"user.again\" \"ab1!default\"\r\nA2 ACTIVATE \"user.again\" \"ab2!default\" \"\"\r\n"
                    + "D2 DELETE \"user.again\"\r\nD3 DELETE \"user.again\"\r\n"
                    + "A3 ACTIVATE \"user.again\" \"ab3!default\" \"\"\r\nF1 FIND \"user.again\"");
            assertEquals("D1 OK \"done\"", w.read());
            assertEquals("R1 OK \"done\"", w.read());
            assertEquals("R2 NO \"mailbox already exists\"", w.read()); // reserved elsewhere by R1
            assertEquals("A2 OK \"done\"", w.read());
            assertEquals("D2 OK \"done\"", w.read());
            assertEquals("D3 NO \"mailbox doesn't exist\"", w.read());
            assertEquals("A3 OK \"done\"", w.read());
            assertEquals("F1 MAILBOX {10+}", w.read());
            assertEquals("user.again {11+}", w.read());
            assertEquals("ab3!default {0+}", w.read());
            assertEquals("", w.read());
            assertEquals("F1 OK \"Search completed\"", w.read());
        }
    }

    @Test
    void dumpThenStreamEveryCommittedChange() throws Exception {
        try (LineClient w = writer(); LineClient s = reader()) {
            w.send("X1 ACTIVATE \"user.stream1\" \"sb1!default\" \"stream1\tlrswipkxtecdan\t\"");
            assertEquals("X1 OK \"done\"", w.read());

            s.send("U1 UPDATE \"sb1\"");
            assertEquals("U1 MAILBOX {12+}", s.read());
            assertEquals("user.stream1 {11+}", s.read());
            assertEquals("sb1!default {23+}", s.read());
            assertEquals("stream1\tlrswipkxtecdan\t", s.read());
            assertEquals("U1 OK \"streaming starts\"", s.read());

            w.send("X2 RESERVE \"user.stream2\" \"sb1!default\"");
            assertEquals("X2 OK \"done\"", w.read());
            assertEquals("U1 RESERVE {12+}", s.read());
            assertEquals("user.stream2 {11+}", s.read());
            assertEquals("sb1!default", s.read());

            w.send("X3 DELETE \"user.stream1\"");
            assertEquals("X3 OK \"done\"", w.read());
            assertEquals("U1 DELETE {12+}", s.read());
            assertEquals("user.stream1", s.read());

            // a change on another host is filtered out; the NOOP barrier comes back with nothing before it
            w.send("X4 ACTIVATE \"user.other\" \"sb2!default\" \"\"");
            assertEquals("X4 OK \"done\"", w.read());
            s.send("N1 NOOP");
            assertEquals("N1 OK \"Noop done\"", s.read());

            // activating it, then moving it away from the watched host, are both reported (old host matches)
            w.send("X5 ACTIVATE \"user.stream2\" \"sb1!default\" \"\"");
            assertEquals("X5 OK \"done\"", w.read());
            assertEquals("U1 MAILBOX {12+}", s.read());
            assertEquals("user.stream2 {11+}", s.read());
            assertEquals("sb1!default {0+}", s.read());
            assertEquals("", s.read());
            w.send("X6 DEACTIVATE \"user.stream2\" \"sb2!default\"");
            assertEquals("X6 OK \"done\"", w.read());
            assertEquals("U1 RESERVE {12+}", s.read());
            assertEquals("user.stream2 {11+}", s.read());
            assertEquals("sb2!default", s.read());

            w.send("X7 DELETE \"user.stream2\"");
            assertEquals("X7 OK \"done\"", w.read());
            w.send("X8 DELETE \"user.other\"");
            assertEquals("X8 OK \"done\"", w.read());
        }
    }

    @Test
    void aSubscriberWithoutHostsSeesEverythingAndNothingAfterLogout() throws Exception {
        try (LineClient w = writer(); LineClient s = reader()) {
            s.send("U1 UPDATE");
            s.readUntil("U1 OK \"streaming starts\"");
            w.send("X1 ACTIVATE \"user.stream3\" \"sb3!p\" \"\"");
            assertEquals("X1 OK \"done\"", w.read());
            assertEquals("U1 MAILBOX {12+}", s.read());
            assertEquals("user.stream3 {5+}", s.read());
            assertEquals("sb3!p {0+}", s.read());
            assertEquals("", s.read());
            // the status shows the subscriber with what it was sent and its lag (nothing it has not taken)
            jakarta.json.JsonObject status = Http.json(Http.get(TestServer.HTTP, "/api/mupdate/status", "admin"));
            assertTrue(status.getJsonArray("streams").getValuesAs(jakarta.json.JsonObject.class).stream()
                    .anyMatch(st -> !st.getBoolean("dumping") && st.getJsonNumber("changesSent").longValue() >= 1
                            && st.getJsonNumber("pendingBytes").longValue() == 0), status.toString());
            s.send("Q1 LOGOUT");
            assertEquals("Q1 OK \"bye-bye\"", s.read());
            w.send("X2 DELETE \"user.stream3\"");
            assertEquals("X2 OK \"done\"", w.read());
            s.timeout(500);
            assertThrows(Exception.class, s::read, "nothing after LOGOUT");
        }
    }

    @Test
    void noWriteIsStreamedBeforeItCommitsAndRefusedWritesAreNotStreamed() throws Exception {
        try (LineClient w = writer(); LineClient s = reader()) {
            s.send("U1 UPDATE \"sb4\"");
            s.readUntil("U1 OK \"streaming starts\"");
            w.send("X1 DEACTIVATE \"user.never\" \"sb4!p\"");
            assertEquals("X1 NO \"mailbox doesn't exist\"", w.read());
            s.timeout(500);
            assertThrows(SocketTimeoutException.class, s::read, "a refused write streams nothing");
        }
    }
}
