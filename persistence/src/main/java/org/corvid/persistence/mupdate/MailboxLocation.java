package org.corvid.persistence.mupdate;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** One entry of the MUPDATE master's list: mailbox name → location ({@code server!partition}), ACL and state. */
@Entity
@Table(name = "mailbox_location")
@NamedQuery(name = MailboxLocation.COUNT, query = "select count(l) from MailboxLocation l")
@NamedQuery(name = MailboxLocation.BY_NAME, query = "select l from MailboxLocation l where l.name = :name")
@NamedQuery(name = MailboxLocation.BY_NAMES, query = "select l from MailboxLocation l where l.name in :names")
@NamedQuery(name = MailboxLocation.PAGE,
        query = "select l.name, l.location, l.acl, l.state from MailboxLocation l where l.name > :after order by l.name")
@NamedQuery(name = MailboxLocation.PAGE_BY_LOCATION_PREFIX,
        query = "select l.name, l.location, l.acl, l.state from MailboxLocation l"
                + " where l.location like :prefix escape '\\' and l.name > :after order by l.name")
@NamedQuery(name = MailboxLocation.RESERVED_BEFORE,
        query = "select l.name from MailboxLocation l where l.state = org.corvid.persistence.mupdate.MailboxState.RESERVED"
                + " and l.lastChange < :before order by l.name")
@NamedQuery(name = MailboxLocation.CHANGED_SINCE,
        query = "select l.name, l.location, l.acl, l.state from MailboxLocation l where l.state in"
                + " (org.corvid.persistence.mupdate.MailboxState.ACTIVE, org.corvid.persistence.mupdate.MailboxState.RESERVED)"
                + " and l.lastChange >= :since")
public class MailboxLocation {
    /** Rows (name, location, acl, state) changed since {@code since}; the state list lets it use the (state, last_change) index. */
    public static final String CHANGED_SINCE = "MailboxLocation.changedSince";
    /** Names of the entries RESERVED since before {@code before} (reservations whose creator vanished). */
    public static final String RESERVED_BEFORE = "MailboxLocation.reservedBefore";
    public static final String COUNT = "MailboxLocation.count";
    public static final String BY_NAME = "MailboxLocation.byName";
    /** The entries among {@code names}, in no order. */
    public static final String BY_NAMES = "MailboxLocation.byNames";
    /**
     * Keyset paging in name order, {@code after} being the last name of the previous page ("" to start); rows of
     * (name, location, acl, state), not entities, so dumping a million entries stays cheap.
     */
    public static final String PAGE = "MailboxLocation.page";
    /** Same, restricted to locations starting with {@code prefix} (a LIKE pattern, escaped with backslash). */
    public static final String PAGE_BY_LOCATION_PREFIX = "MailboxLocation.pageByLocationPrefix";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "mailbox_location_seq")
    @SequenceGenerator(name = "mailbox_location_seq", sequenceName = "mailbox_location_seq", allocationSize = 50)
    private Long id;

    @Column(nullable = false, unique = true, length = 1024)
    private String name;

    @Column(nullable = false, length = 512)
    private String location;

    @Column(nullable = false, length = 512)
    private String server;

    /** The part after {@code !}, null if the location has none. */
    @Column(name = "partition_name", length = 512)
    private String partition;

    /** Cyrus ACL text: {@code id<TAB>rights<TAB>...}. */
    @Column(nullable = false, length = 8000)
    private String acl;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private MailboxState state;

    @Column(name = "unique_id", nullable = false, length = 64)
    private String uniqueId;

    @Version
    private long version;

    @Column(name = "last_change", nullable = false)
    private Instant lastChange;

    protected MailboxLocation() {
    }

    public MailboxLocation(String name, String location, String acl, MailboxState state) {
        this.name = Objects.requireNonNull(name);
        this.uniqueId = UUID.randomUUID().toString();
        set(location, acl, state);
    }

    /** Sets location, ACL and state at once, as ACTIVATE/RESERVE/DEACTIVATE do. */
    public final void set(String location, String acl, MailboxState state) {
        this.location = Objects.requireNonNull(location);
        this.server = serverOf(location);
        this.partition = partitionOf(location);
        this.acl = Objects.requireNonNull(acl);
        this.state = Objects.requireNonNull(state);
        this.lastChange = Instant.now();
    }

    /** The server part of a location: everything before the first {@code !}. */
    public static String serverOf(String location) {
        int bang = location.indexOf('!');
        return bang < 0 ? location : location.substring(0, bang);
    }

    /** The partition part of a location: everything after the first {@code !}; null if there is none. */
    public static String partitionOf(String location) {
        int bang = location.indexOf('!');
        return bang < 0 ? null : location.substring(bang + 1);
    }

    public Long getId() { return id; }
    public String getName() { return name; }
    /** The location as MUPDATE writes it, usually {@code server!partition}. */
    public String getLocation() { return location; }
    public String getServer() { return server; }
    public String getPartition() { return partition; }
    public String getAcl() { return acl; }
    public MailboxState getState() { return state; }
    public String getUniqueId() { return uniqueId; }
    public long getVersion() { return version; }
    public Instant getLastChange() { return lastChange; }
}
