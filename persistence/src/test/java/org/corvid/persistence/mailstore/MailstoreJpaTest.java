package org.corvid.persistence.mailstore;

import org.corvid.persistence.JpaDatabases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import org.corvid.persistence.migration.SchemaMigrations;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code mailstore} unit on H2 and a real PostgreSQL: its Flyway schema, entity mappings and named queries
 * (validated when the factory is built), mailbox hierarchy queries with LIKE escaping, messages by UID and
 * quota usage.
 */
class MailstoreJpaTest {
    private static JpaDatabases databases;

    @BeforeAll
    static void start() throws Exception {
        databases = new JpaDatabases(SchemaMigrations.MAILSTORE);
    }

    @AfterAll
    static void stop() throws Exception {
        databases.close();
    }


    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void hierarchyMessagesAndQuotaUsage(String db) {
        databases.tx(db, em -> {
            for (String name : List.of("user.a_b", "user.a_b.x", "user.axb", "user.a_b2")) {
                em.persist(new Mailbox(name, "default", 1, "a\tlrs\t"));
            }
        });
        assertEquals(List.of("user.a_b", "user.a_b.x"), databases.read(db, em -> em.createNamedQuery(Mailbox.SELF_AND_CHILDREN,
                Mailbox.class).setParameter("name", "user.a_b").setParameter("children", "user.a\\_b.%")
                .getResultStream().map(Mailbox::getName).toList()), "_ is escaped: user.axb is not a child");
        long id = databases.read(db, em -> em.createNamedQuery(Mailbox.BY_NAME, Mailbox.class).setParameter("name", "user.a_b.x")
                .getSingleResult().getId());
        databases.tx(db, em -> {
            Message first = new Message(id, 1, 2, "\\Seen", OffsetDateTime.now(), 100, "u/1.eml");
            em.persist(first);
            em.persist(new MessageHeader(first.getId(), "Subject: \u00e9t\u00e9\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
            em.persist(new Message(id, 2, 3, "", OffsetDateTime.now(), 50, "u/2.eml"));
            Mailbox box = em.find(Mailbox.class, id);
            box.added(100);
            box.added(50);
            QuotaRoot q = new QuotaRoot("user.a_b");
            q.setLimits(10L, null, 5L);
            em.persist(q);
        });
        assertEquals(List.of(2L), databases.read(db, em -> em.createNamedQuery(Message.BY_UIDS, Message.class)
                .setParameter("mailbox", id).setParameter("uids", List.of(2L, 7L)).getResultStream()
                .map(Message::getUid).toList()));
        List<Object[]> headers = databases.read(db, em -> em.createNamedQuery(MessageHeader.OF_MAILBOX, Object[].class)
                .setParameter("mailbox", id).getResultList());
        assertEquals(1, headers.size(), "message 2 has no header row");
        assertEquals(1L, headers.get(0)[0]);
        assertEquals("Subject: \u00e9t\u00e9\r\n\r\n", new String((byte[]) headers.get(0)[1], StandardCharsets.UTF_8));
        assertEquals(1, databases.read(db, em -> em.createNamedQuery(MessageHeader.BY_UIDS, Object[].class)
                .setParameter("mailbox", id).setParameter("uids", List.of(1L, 2L)).getResultList()).size());
        Object[] usage = databases.read(db, em -> em.createNamedQuery(QuotaRoot.USAGE, Object[].class)
                .setParameter("root", "user.a_b").setParameter("children", "user.a\\_b.%").getSingleResult());
        assertEquals(150L, ((Number) usage[0]).longValue());
        assertEquals(2L, ((Number) usage[1]).longValue());
        assertEquals(2L, ((Number) usage[2]).longValue(), "user.a_b and user.a_b.x; not user.axb");
        databases.tx(db, em -> {
            SeenState seen = new SeenState("bob", id);
            seen.setSeenUids("1:2");
            em.persist(seen);
        });
        assertEquals("1:2", databases.read(db, em -> em.find(SeenState.class, new SeenState.Key("bob", id)).getSeenUids()));
        databases.tx(db, em -> em.createQuery("delete from Message m where m.mailboxId = :id").setParameter("id", id).executeUpdate());
        assertEquals(0, databases.read(db, em -> em.createNamedQuery(MessageHeader.OF_MAILBOX, Object[].class)
                .setParameter("mailbox", id).getResultList()).size(), "headers go with their messages");
        databases.tx(db, em -> em.createQuery("delete from Mailbox b where b.id = :id").setParameter("id", id).executeUpdate());
        assertNull(databases.read(db, em -> em.find(SeenState.class, new SeenState.Key("bob", id))),
                "seen state goes with its mailbox");
        databases.tx(db, em -> em.createNamedQuery(Subscription.OF_USER, String.class).setParameter("user", "a").getResultList());
    }
}
