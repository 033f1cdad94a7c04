package org.corvid.persistence.mailstore;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** A user's subscription to a mailbox (IMAP SUBSCRIBE), by internal name; it may outlive the mailbox. */
@Entity
@Table(name = "subscription")
@IdClass(Subscription.Key.class)
@NamedQuery(name = Subscription.OF_USER,
        query = "select s.mailboxName from Subscription s where s.userName = :user order by s.mailboxName")
public class Subscription {
    public static final String OF_USER = "Subscription.ofUser";

    @Id
    @Column(name = "user_name", length = 255)
    private String userName;

    @Id
    @Column(name = "mailbox_name", length = 1024)
    private String mailboxName;

    protected Subscription() {
    }

    public Subscription(String userName, String mailboxName) {
        this.userName = Objects.requireNonNull(userName);
        this.mailboxName = Objects.requireNonNull(mailboxName);
    }

    /** The composite key. */
    public record Key(String userName, String mailboxName) implements Serializable {
        public Key() {
            this(null, null);
        }
    }
}
