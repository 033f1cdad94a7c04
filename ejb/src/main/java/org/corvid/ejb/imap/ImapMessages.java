package org.corvid.ejb.imap;

import jakarta.annotation.Resource;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.ejb.backend.MessageStore;
import org.corvid.ejb.node.DurableCommit;
import org.corvid.ejb.backend.MessageSource;
import org.corvid.ejb.backend.MessageStore.FlagChange;
import org.corvid.ejb.backend.SeenStates;
import org.corvid.ejb.backend.SequenceSet;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * The IMAP message commands of a backend: APPEND (with APPENDUID, UIDPLUS), FETCH and UID FETCH (FLAGS, UID,
 * INTERNALDATE, RFC822.SIZE, RFC822[.HEADER|.TEXT], BODY[]/BODY.PEEK[] with HEADER, TEXT and partial ranges),
 * STORE and UID STORE, EXPUNGE and UID EXPUNGE, CHECK, and the sync at NOOP that reports other sessions'
 * appends (EXISTS) and expunges (EXPUNGE). Not yet: ENVELOPE, BODYSTRUCTURE, MIME part sections, SEARCH.
 */
@Stateless
@PermitAll
@DeclareRoles(Namespaces.ADMIN_ROLE)
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class ImapMessages {
    static final String SELECTED = "imap.selected.view";
    private static final String CONDSTORE = "imap.condstore";
    static final DateTimeFormatter INTERNALDATE = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ROOT);

    /** An IMAP date-time ({@code " 7-Feb-2026 10:11:12 +0100"}, the day maybe space-padded); throws if malformed. */
    static OffsetDateTime internalDate(String text) {
        return OffsetDateTime.parse(text.trim().replaceFirst("^(\\d)-", "0$1-"), INTERNALDATE);
    }
    /** Messages larger than this are not read whole: their sections are located and streamed from the file. */
    private static final long STREAM_FROM_BYTES = 1024 * 1024;
    private static final Pattern BODY_ITEM = Pattern.compile(
            "(BODY|BODY\\.PEEK)\\[((?:\\d+(?:\\.\\d+)*)(?:\\.(?:HEADER|TEXT|MIME|HEADER\\.FIELDS(?:\\.NOT)? \\([^)]*\\)))?"
                    + "|HEADER|TEXT|HEADER\\.FIELDS(?:\\.NOT)? \\([^)]*\\)|)\\](?:<(\\d+)\\.(\\d+)>)?");
    private static final Set<String> SYSTEM_FLAGS = Set.of("\\SEEN", "\\ANSWERED", "\\FLAGGED", "\\DELETED", "\\DRAFT");

    @Resource
    private SessionContext context;

    @Resource(lookup = "java:jboss/datasources/CorvidMailstoreDS")
    private DataSource mailstore;

    private Caller caller() {
        return Caller.of(context);
    }

    /**
     * The mailbox's messages as the caller sees them: in a mailbox they do not own, {@code \Seen} is their own
     * ({@link SeenStates}), not the owner's flag.
     */
    private List<MessageStore.Info> visible(String mailbox) {
        return asSeenByCaller(mailbox, messages.messages(mailbox));
    }

    /** As {@link #visible(String)}, only the messages with {@code uids}: their rows alone are read. */
    private List<MessageStore.Info> visible(String mailbox, java.util.Collection<Long> uids) {
        return asSeenByCaller(mailbox, messages.messages(mailbox, uids));
    }

    /**
     * The messages of the session's view in {@code set}, in UID order: only their rows are read, unless they are
     * most of a large mailbox, where one read of the whole is cheaper than many bounded IN lists.
     */
    private List<MessageStore.Info> visibleIn(SelectedMailbox view, SequenceSet set, boolean byUid) {
        List<Long> uids = view.uidsIn(set, byUid);
        if (uids.size() > 1000 && uids.size() > view.count() / 2) {
            Set<Long> wanted = new HashSet<>(uids);
            return visible(view.name()).stream().filter(m -> wanted.contains(m.uid())).toList();
        }
        return visible(view.name(), uids);
    }

    private List<MessageStore.Info> asSeenByCaller(String mailbox, List<MessageStore.Info> all) {
        String user = caller().user();
        if (!SeenStates.isShared(user, mailbox)) {
            return all;
        }
        SequenceSet seen = seenStates.seen(user, mailbox);
        List<MessageStore.Info> mine = new ArrayList<>(all.size());
        for (MessageStore.Info m : all) {
            mine.add(new MessageStore.Info(m.uid(), m.modseq(), asSeenBy(m.flags(), seen.contains(m.uid())),
                    m.internalDate(), m.size(), m.partition(), m.file()));
        }
        return mine;
    }

    /** A message's flags with the owner's {@code \\Seen} replaced by the caller's own ({@code seen}). */
    private static Set<String> asSeenBy(Set<String> flags, boolean seen) {
        Set<String> mine = new LinkedHashSet<>(flags);
        mine.removeIf("\\Seen"::equalsIgnoreCase);
        if (seen) {
            mine.add("\\Seen");
        }
        return mine;
    }

    /** A user's first \\Seen in a mailbox inserts a row; if another of their sessions inserted it first, once more. */
    private void changeSeen(String user, String mailbox, List<Long> seen, List<Long> unseen) {
        try {
            seenStates.change(user, mailbox, seen, unseen);
        } catch (jakarta.ejb.EJBException raced) {
            seenStates.change(user, mailbox, seen, unseen); // the row exists now, and is locked this time
        }
        events.changed(mailbox); // the user's other sessions (IDLE, NOOP) report it as FETCH FLAGS
    }

    /**
     * STORE for the caller: flags on the messages, except {@code \Seen} in a mailbox the caller does not own,
     * which goes to their seen state. Returns the stored messages as the caller sees them now.
     */
    private List<MessageStore.Info> storeFlags(String mailbox, List<Long> uids, FlagChange change, Set<String> flags,
                                               long unchangedSince, List<Long> modified) {
        String user = caller().user();
        if (!SeenStates.isShared(user, mailbox)) {
            return messages.setFlags(mailbox, uids, change, flags, unchangedSince, modified, false);
        }
        if (unchangedSince < Long.MAX_VALUE) { // per-user \\Seen has no MODSEQ of its own: the message's guards it
            Set<Long> asked = new HashSet<>(uids);
            List<Long> unchanged = new ArrayList<>();
            for (MessageStore.Info m : messages.messages(mailbox)) {
                if (asked.contains(m.uid())) {
                    (m.modseq() > unchangedSince ? modified : unchanged).add(m.uid());
                }
            }
            uids = unchanged;
        }
        boolean seen = flags.stream().anyMatch("\\Seen"::equalsIgnoreCase);
        Set<String> others = new LinkedHashSet<>(flags);
        others.removeIf("\\Seen"::equalsIgnoreCase);
        Set<Long> stored = new HashSet<>(uids);
        if (change == FlagChange.REPLACE || !others.isEmpty()) {
            stored.clear();
            messages.setFlags(mailbox, uids, change, others, unchangedSince, modified, true)
                    .forEach(m -> stored.add(m.uid()));
        }
        List<Long> applied = uids.stream().filter(stored::contains).toList();
        if (change == FlagChange.REPLACE) {
            changeSeen(user, mailbox, seen ? applied : List.of(), seen ? List.of() : applied);
        } else if (seen) {
            changeSeen(user, mailbox, change == FlagChange.ADD ? applied : List.of(),
                    change == FlagChange.REMOVE ? applied : List.of());
        }
        return visible(mailbox, stored);
    }

    @EJB
    private MailboxStore mailboxes;

    @EJB
    private MessageStore messages;

    @EJB
    private ImapFrontend frontend;

    @EJB
    private SeenStates seenStates;

    @EJB
    private org.corvid.ejb.backend.MailboxEvents events;

    @EJB
    private org.corvid.ejb.node.NodeConfig node;

    /** Message files are read here directly, not through {@link MessageStore}: no bean call per message. */
    private org.corvid.ejb.backend.Spool spool;

    @jakarta.annotation.PostConstruct
    void init() {
        spool = new org.corvid.ejb.backend.Spool(new org.corvid.ejb.backend.Partitions(node.dataDir()));
    }

    private static final String IDLING = "imap.idle";

    static SelectedMailbox selected(Connection c) {
        return (SelectedMailbox) c.attributes().get(SELECTED);
    }

    /** True once the client used CONDSTORE (RFC 7162 3.1): unsolicited FETCHes carry MODSEQ from then on. */
    static boolean condstore(Connection c) {
        return c.attributes().containsKey(CONDSTORE);
    }

    static void enableCondstore(Connection c) {
        c.attributes().put(CONDSTORE, Boolean.TRUE);
    }

    /** Starts the session's view of {@code name}; returns it (EXISTS is its count). */
    public SelectedMailbox open(Connection c, String name, boolean readOnly) {
        MailboxStore.Info box = mailboxes.find(name); // its HIGHESTMODSEQ before the messages: later changes are synced
        SelectedMailbox view = new SelectedMailbox(name, readOnly, List.of());
        String user = caller().user();
        SequenceSet seen = SeenStates.isShared(user, name) ? seenStates.seen(user, name) : null;
        messages.scan(name, (uid, modseq, flags) -> view.add(uid, modseq, seen == null ? flags : asSeenBy(flags, seen.contains(uid))));
        if (box != null) {
            view.highestModseq(box.highestModseq());
        }
        c.attributes().put(SELECTED, view);
        return view;
    }

    /**
     * STATUS figures {messages, without \Seen, bytes, with \Deleted} as the caller sees them; the flag counts
     * only when {@code withFlags} (else -1 in the owner's common case).
     */
    public long[] counts(String name, boolean withFlags) {
        if (!SeenStates.isShared(caller().user(), name)) { // the common case: no message is loaded
            long[] counts = messages.counts(name, withFlags);
            return counts != null ? counts : new long[4];
        }
        List<MessageStore.Info> all = visible(name);
        long size = all.stream().mapToLong(MessageStore.Info::size).sum();
        return new long[] {all.size(), all.stream().filter(m -> !m.has("\\Seen")).count(), size,
                all.stream().filter(m -> m.has("\\Deleted")).count()};
    }

    /**
     * COPY/MOVE from the mailbox selected here to one on another backend ({@link ImapFrontend#copyOut}: appended
     * there with flags and internal dates); a MOVE expunges the originals here only after every copy was
     * confirmed. The target backend checks the right {@code i}; here {@code r}, and {@code t}, {@code e} to move.
     */
    private void copyOut(TaggedRequest r, Connection c, boolean byUid, SequenceSet set, MailboxStore.Info from,
                         String server, String targetName, boolean move) {
        SelectedMailbox view = selected(c);
        if (from == null || !caller().may(from, 'r') || move && (view.readOnly() || !caller().may(from, 'e') || !caller().may(from, 't'))) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        List<ImapFrontend.Copied> chosen = new ArrayList<>();
        for (MessageStore.Info m : visibleIn(view, set, byUid)) {
            Set<String> flags = new LinkedHashSet<>(m.flags());
            if (move) {
                flags.removeIf("\\Deleted"::equalsIgnoreCase);
            }
            chosen.add(new ImapFrontend.Copied(m.uid(), flags.stream().<Value>map(Value.Atom::new).toList(),
                    INTERNALDATE.format(m.internalDate()), spool.path(m.partition(), m.file())));
        }
        if (chosen.isEmpty()) {
            c.write(r.tag() + " OK Completed");
            return;
        }
        String copyUid = frontend.copyOut(r, c, server, targetName, chosen);
        if (copyUid == null) {
            return; // answered
        }
        if (!move) {
            c.write(r.tag() + " OK " + copyUid + " Completed");
            return;
        }
        removeMoved(r, c, view, chosen.stream().map(ImapFrontend.Copied::uid).toList(), copyUid + " ");
    }

    /** The end of a MOVE whose copies are all made: the originals expunged here, each reported, then OK. */
    private void removeMoved(TaggedRequest r, Connection c, SelectedMailbox view, List<Long> uids, String copyUid) {
        messages.setFlags(view.name(), uids, FlagChange.ADD, Set.of("\\Deleted"));
        c.write("* OK " + copyUid + "Moved");
        for (long uid : messages.expunge(view.name(), uids)) {
            int n = view.expunged(uid);
            if (n > 0) {
                c.write("* " + n + " EXPUNGE");
            }
        }
        c.write(r.tag() + " OK Completed");
    }

    /** APPEND mailbox [(flags)] [date-time] literal. */
    public void append(TaggedRequest r, Connection c, String internalName) {
        List<Value> a = r.args();
        Value last = a.isEmpty() ? null : a.get(a.size() - 1);
        MessageSource message = last instanceof Value.Literal l ? MessageSource.of(l.bytes())
                : last instanceof Value.SpooledLiteral l ? MessageSource.of(l.file(), l.size()) // large: on disk
                : null;
        if (a.size() < 2 || a.size() > 4 || message == null) {
            c.write(r.tag() + " BAD APPEND takes a mailbox, optional flags and date, and a literal");
            return;
        }
        Set<String> flags = new LinkedHashSet<>();
        OffsetDateTime date = OffsetDateTime.now(ZoneOffset.UTC).withNano(0);
        for (Value v : a.subList(1, a.size() - 1)) {
            if (v instanceof Value.ListValue list) {
                Set<String> parsed = flags(list);
                if (parsed == null || parsed.stream().anyMatch("\\Recent"::equalsIgnoreCase)) {
                    c.write(r.tag() + " BAD Invalid flags");
                    return;
                }
                flags.addAll(parsed);
            } else {
                try {
                    date = internalDate(v.asString());
                } catch (DateTimeParseException | NullPointerException e) {
                    c.write(r.tag() + " BAD Invalid date-time");
                    return;
                }
            }
        }
        MailboxStore.Info m = mailboxes.find(internalName);
        if (m == null) {
            c.write(r.tag() + " NO [TRYCREATE] Mailbox does not exist");
            return;
        }
        if (!caller().may(m, 'i')) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        if (message.size() == 0) {
            c.write(r.tag() + " NO Empty message");
            return;
        }
        long uid = messages.append(internalName, message, flags, date);
        DurableCommit.force(mailstore);
        if (uid == MessageStore.OVER_QUOTA) {
            c.write(r.tag() + " NO [OVERQUOTA] Quota exceeded");
            return;
        }
        if (uid < 0) {
            c.write(r.tag() + " NO [TRYCREATE] Mailbox does not exist");
            return;
        }
        SelectedMailbox view = selected(c);
        if (view != null && view.name().equals(internalName)) {
            sync(c, view);
        }
        c.write(r.tag() + " OK [APPENDUID " + m.uidValidity() + " " + uid + "] Completed");
    }

    /**
     * IDLE (RFC 2177): reports pending changes, sends {@code + idling}, then pushes every committed append and
     * expunge of the selected mailbox (by any session or LMTP) until the client sends DONE.
     */
    public void idle(TaggedRequest r, Connection c) {
        SelectedMailbox view = selected(c);
        if (r.args().isEmpty()) {
            if (view != null) {
                sync(c, view);
                ImapMessages self = context.getBusinessObject(ImapMessages.class);
                Runnable listener = () -> self.sync(c, view);
                c.attributes().put(IDLING, listener);
                events.subscribe(view.name(), listener);
            }
            c.continueWith("+ idling");
            return;
        }
        Runnable listener = (Runnable) c.attributes().remove(IDLING);
        if (listener != null && view != null) {
            events.unsubscribe(view.name(), listener);
        }
        String done = r.args().get(r.args().size() - 1).asString();
        c.write(r.tag() + ("DONE".equalsIgnoreCase(done == null ? "" : done.trim()) ? " OK IDLE terminated"
                : " BAD Expected DONE"));
    }

    /**
     * Reports what other sessions (and LMTP) changed since this one last looked: EXPUNGEs, flag changes as
     * FETCH FLAGS (with MODSEQ under CONDSTORE), then the new EXISTS.
     */
    public void sync(Connection c, SelectedMailbox view) {
        synchronized (view) {
            syncNow(c, view);
        }
    }

    private void syncNow(Connection c, SelectedMailbox view) {
        if (SeenStates.isShared(caller().user(), view.name())) { // per-user \Seen changes raise no MODSEQ: read all
            List<MessageStore.Info> all = visible(view.name());
            if (all.isEmpty() && mailboxes.find(view.name()) == null) {
                gone(c);
                return;
            }
            Set<Long> present = new HashSet<>();
            all.forEach(m -> present.add(m.uid()));
            report(c, view, all, present);
            return;
        }
        MessageStore.Since since = messages.since(view.name(), view.highestModseq());
        if (since == null) {
            gone(c);
            return;
        }
        long largest = view.largestUid();
        long appended = since.modified().stream().filter(m -> m.uid() > largest).count();
        // as many messages as known plus the new ones: nothing was expunged, no need to read the UIDs
        Set<Long> present = since.messages() == view.count() + appended ? null : new HashSet<>(messages.uids(view.name()));
        report(c, view, since.modified(), present);
        view.highestModseq(since.highestModseq());
    }

    /** The selected mailbox was moved to another backend (or deleted) under this session: not "every message expunged". */
    private static void gone(Connection c) {
        c.write("* BYE [UNAVAILABLE] Mailbox has been moved or deleted; please reconnect");
        c.close();
    }

    /**
     * Tells the client what changed: EXPUNGE for each known UID not {@code present} (null: nothing expunged),
     * FETCH FLAGS for what it knows older of {@code now}, then EXISTS for the new messages in {@code now}.
     */
    private static void report(Connection c, SelectedMailbox view, List<MessageStore.Info> now, Set<Long> present) {
        if (present != null) {
            for (long uid : view.uids()) {
                if (!present.contains(uid)) {
                    c.write("* " + view.expunged(uid) + " EXPUNGE");
                }
            }
        }
        long largest = view.largestUid();
        List<MessageStore.Info> added = new ArrayList<>();
        for (MessageStore.Info m : now) {
            if (m.uid() > largest) {
                added.add(m);
            } else if (view.isNews(m)) {
                c.write(flagsUpdate(c, view, m, false));
            }
        }
        if (!added.isEmpty()) {
            c.write("* " + view.appended(added) + " EXISTS");
        }
    }

    private static String flagsUpdate(Connection c, SelectedMailbox view, MessageStore.Info m, boolean withUid) {
        view.reported(m);
        // RFC 7162 3.1: under CONDSTORE every untagged FETCH carries UID and MODSEQ
        return "* " + view.numberOf(m.uid()) + " FETCH (" + (withUid || condstore(c) ? "UID " + m.uid() + " " : "")
                + "FLAGS (" + String.join(" ", m.flags()) + ")"
                + (condstore(c) ? " MODSEQ (" + m.modseq() + ")" : "") + ")";
    }

    /** FETCH / UID FETCH. */
    public void fetch(TaggedRequest r, Connection c, boolean byUid, List<Value> args) {
        SelectedMailbox view = selected(c);
        long changedSince = -1;
        if (args.size() == 3) { // FETCH set items (CHANGEDSINCE n) (RFC 7162)
            Long n = modifier(args.get(2), "CHANGEDSINCE");
            if (n == null) {
                c.write(r.tag() + " BAD FETCH modifier must be (CHANGEDSINCE mod-sequence)");
                return;
            }
            changedSince = n;
            enableCondstore(c);
            args = args.subList(0, 2);
        }
        if (args.size() != 2) {
            c.write(r.tag() + " BAD FETCH takes a sequence set and items");
            return;
        }
        List<String> items = fetchItems(args.get(1));
        if (items == null) {
            c.write(r.tag() + " BAD Invalid FETCH items");
            return;
        }
        if (byUid && !items.contains("UID")) {
            items.add(0, "UID");
        }
        if (changedSince >= 0 && !items.contains("MODSEQ")) {
            items.add("MODSEQ");
        }
        if (items.contains("MODSEQ")) {
            enableCondstore(c);
        }
        if (condstore(c)) { // RFC 7162 3.1: every untagged FETCH carries UID and MODSEQ from now on
            if (!items.contains("UID")) {
                items.add(0, "UID");
            }
            if (!items.contains("MODSEQ")) {
                items.add("MODSEQ");
            }
        }
        for (String item : items) {
            if (!supported(item)) {
                c.write(r.tag() + " BAD FETCH item " + item + " is not supported yet");
                return;
            }
        }
        SequenceSet set = SequenceSet.parse(args.get(0).asString(), byUid ? view.largestUid() : view.count());
        if (set == null) {
            c.write(r.tag() + " BAD Invalid sequence set");
            return;
        }
        MailboxStore.Info mailbox = mailboxes.find(view.name());
        boolean marksSeen = !view.readOnly() && mailbox != null && caller().may(mailbox, 's')
                && items.stream().anyMatch(i -> i.equals("RFC822") || i.equals("RFC822.TEXT") || i.startsWith("BODY["));
        List<MessageStore.Info> wanted = new ArrayList<>(); // only the rows asked for are read
        for (MessageStore.Info m : visibleIn(view, set, byUid)) {
            if (m.modseq() > changedSince) {
                wanted.add(m);
            }
        }
        if (marksSeen) {
            List<Long> unseen = wanted.stream().filter(m -> !m.has("\\Seen")).map(MessageStore.Info::uid).toList();
            if (!unseen.isEmpty()) {
                List<MessageStore.Info> now = storeFlags(view.name(), unseen, FlagChange.ADD, Set.of("\\Seen"),
                        Long.MAX_VALUE, new ArrayList<>());
                Map<Long, MessageStore.Info> nowByUid = new HashMap<>();
                now.forEach(x -> nowByUid.put(x.uid(), x));
                wanted = wanted.stream().map(m -> nowByUid.getOrDefault(m.uid(), m)).toList();
                if (!items.contains("FLAGS")) {
                    items.add("FLAGS");
                }
            }
        }
        Map<Long, byte[]> headers = items.stream().anyMatch(ImapMessages::headerOnly)
                ? messages.headers(view.name(), wanted.stream().map(MessageStore.Info::uid).toList()) : Map.of();
        boolean tellsFlags = items.contains("FLAGS");
        for (MessageStore.Info m : wanted) {
            if (tellsFlags) {
                view.reported(m);
            }
            fetchResponse(c, view.numberOf(m.uid()), m, items, headers.get(m.uid()));
        }
        c.write(r.tag() + " OK Completed");
    }

    private static boolean supported(String item) {
        return switch (item) {
            case "UID", "FLAGS", "MODSEQ", "INTERNALDATE", "RFC822.SIZE", "RFC822", "RFC822.HEADER", "RFC822.TEXT", "ENVELOPE",
                    "BODYSTRUCTURE", "BODY" -> true;
            default -> BODY_ITEM.matcher(item).matches();
        };
    }

    /** The items of a FETCH: one atom, a macro (FAST) or a list; null if malformed. */
    private static List<String> fetchItems(Value v) {
        List<String> items = new ArrayList<>();
        if (v instanceof Value.ListValue list) {
            for (Value i : list.items()) {
                if (!(i instanceof Value.Atom)) {
                    return null;
                }
                items.add(i.asString().toUpperCase(Locale.ROOT));
            }
        } else if (v instanceof Value.Atom atom) {
            String s = atom.asString().toUpperCase(Locale.ROOT);
            switch (s) {
                case "FAST" -> items.addAll(List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE"));
                case "ALL" -> items.addAll(List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"));
                case "FULL" -> items.addAll(List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"));
                default -> items.add(s);
            }
        } else {
            return null;
        }
        return items.isEmpty() ? null : items;
    }

    /** BODYSTRUCTURE from the bytes already read, else streamed from the spool file (never read whole). */
    private String bodystructure(MessageStore.Info m, byte[] read, boolean extended) {
        if (read != null) {
            return MessageStructure.bodystructure(read, extended);
        }
        try (java.io.InputStream in = spool.open(m.partition(), m.file())) {
            return MessageStructure.bodystructure(in, extended);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private byte[] content(MessageStore.Info m, byte[] read) {
        return read != null ? read : spool.read(m.partition(), m.file());
    }

    /** The number in a modifier list {@code (NAME n)}, or null if {@code v} is not one. */
    private static Long modifier(Value v, String name) {
        if (v instanceof Value.ListValue list && list.items().size() == 2
                && name.equalsIgnoreCase(list.items().get(0).asString())) {
            try {
                long n = Long.parseLong(list.items().get(1).asString());
                return n >= 0 ? n : null;
            } catch (NumberFormatException | NullPointerException e) {
                return null;
            }
        }
        return null;
    }

    /** True if the item needs only the message's header block (ENVELOPE, RFC822.HEADER, BODY[HEADER...]). */
    private static boolean headerOnly(String item) {
        if (item.equals("ENVELOPE") || item.equals("RFC822.HEADER")) {
            return true;
        }
        Matcher body = BODY_ITEM.matcher(item);
        return body.matches() && body.group(2).startsWith("HEADER");
    }

    /** @param header the message's header block if kept (items that need only it are answered from it) */
    private void fetchResponse(Connection c, int number, MessageStore.Info m, List<String> items, byte[] header) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder line = new StringBuilder("* ").append(number).append(" FETCH (");
        byte[] content = null;
        boolean first = true;
        for (String item : items) {
            if (!first) {
                line.append(' ');
            }
            first = false;
            switch (item) {
                case "UID" -> line.append("UID ").append(m.uid());
                case "FLAGS" -> line.append("FLAGS (").append(String.join(" ", m.flags())).append(')');
                case "INTERNALDATE" -> line.append("INTERNALDATE \"").append(INTERNALDATE.format(m.internalDate())).append('"');
                case "RFC822.SIZE" -> line.append("RFC822.SIZE ").append(m.size());
                case "MODSEQ" -> line.append("MODSEQ (").append(m.modseq()).append(')');
                case "ENVELOPE" -> line.append("ENVELOPE ").append(MessageStructure.envelope(header != null ? header
                        : content != null || m.size() <= STREAM_FROM_BYTES ? (content = content(m, content)) : headerOf(m)));
                case "BODYSTRUCTURE", "BODY" -> {
                    line.append(item).append(' ').append(bodystructure(m, content, item.equals("BODYSTRUCTURE")));
                }
                default -> { // BODY[section]<partial>, RFC822, RFC822.HEADER, RFC822.TEXT
                    Matcher body = BODY_ITEM.matcher(item);
                    boolean bodyItem = body.matches();
                    String section = bodyItem ? body.group(2)
                            : item.equals("RFC822.HEADER") ? "HEADER" : item.equals("RFC822.TEXT") ? "TEXT" : "";
                    String name = bodyItem ? "BODY[" + section + "]" : item;
                    boolean fromHeader = header != null && headerOnly(item);
                    if (!fromHeader && content == null && m.size() <= STREAM_FROM_BYTES) {
                        content = content(m, null);
                    }
                    byte[] held = fromHeader ? header : content;
                    MimeSections.Source source = held != null ? bytes(held) : file(m);
                    byte[] part = null;
                    MimeSections.Range range;
                    try {
                        range = MimeSections.locate(source, held != null ? held.length : m.size(), section);
                        if (range.fields() != null) {
                            part = MimeSections.read(source, range);
                            source = bytes(part);
                            held = part; // partial offsets below are into the filtered header block
                            range = new MimeSections.Range(0, part.length, null);
                        }
                        if (bodyItem && body.group(3) != null) {
                            long origin = Math.min(Long.parseLong(body.group(3)), range.length());
                            long length = Math.min(Long.parseLong(body.group(4)), range.length() - origin);
                            range = new MimeSections.Range(range.start() + origin, range.start() + origin + length, null);
                            name += "<" + origin + ">";
                            part = null;
                        }
                        line.append(name).append(" {").append(range.length()).append("}\r\n");
                        out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
                        line.setLength(0);
                        if (part == null && held != null) {
                            out.write(held, (int) range.start(), (int) range.length());
                        } else if (part != null || range.length() <= STREAM_FROM_BYTES) {
                            out.writeBytes(part != null ? part : MimeSections.read(source, range));
                        } else { // a large section of a large message: from its file, chunk by chunk
                            c.writeRaw(out.toByteArray());
                            out.reset();
                            stream(c, source, range);
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        }
        line.append(")\r\n");
        out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
        c.writeRaw(out.toByteArray());
    }

    /**
     * Writes bytes {@code range} of the message to the client in chunks; the adapter flushes them as they fill
     * and holds this thread while a slow client is not reading, so memory stays bounded whatever the size.
     */
    private static void stream(Connection c, MimeSections.Source source, MimeSections.Range range) throws java.io.IOException {
        try (java.io.InputStream in = source.from(range.start())) {
            byte[] chunk = new byte[64 * 1024];
            for (long left = range.length(); left > 0; ) {
                int n = in.readNBytes(chunk, 0, (int) Math.min(chunk.length, left));
                if (n <= 0) {
                    throw new java.io.EOFException("message file shorter than its recorded size");
                }
                c.writeRaw(n == chunk.length ? chunk.clone() : Arrays.copyOf(chunk, n));
                left -= n;
            }
        }
    }

    private static MimeSections.Source bytes(byte[] held) {
        return offset -> new java.io.ByteArrayInputStream(held, (int) offset, held.length - (int) offset);
    }

    /** The message's file, opened at an offset. */
    private MimeSections.Source file(MessageStore.Info m) {
        return offset -> {
            java.io.InputStream in = spool.open(m.partition(), m.file());
            in.skipNBytes(offset);
            return in;
        };
    }

    /** The message's header block, read from its file without reading the body. */
    private byte[] headerOf(MessageStore.Info m) {
        try {
            MimeSections.Source file = file(m);
            return MimeSections.read(file, MimeSections.locate(file, m.size(), "HEADER"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** STORE / UID STORE set (+|-)FLAGS[.SILENT] (flags). */
    public void store(TaggedRequest r, Connection c, boolean byUid, List<Value> args) {
        SelectedMailbox view = selected(c);
        long unchangedSince = Long.MAX_VALUE;
        if (args.size() == 4) { // STORE set (UNCHANGEDSINCE n) item flags (RFC 7162)
            Long n = modifier(args.get(1), "UNCHANGEDSINCE");
            if (n == null) {
                c.write(r.tag() + " BAD STORE modifier must be (UNCHANGEDSINCE mod-sequence)");
                return;
            }
            unchangedSince = n;
            enableCondstore(c);
            args = List.of(args.get(0), args.get(2), args.get(3));
        }
        if (args.size() != 3) {
            c.write(r.tag() + " BAD STORE takes a sequence set, an item and flags");
            return;
        }
        String item = args.get(1).asString() == null ? "" : args.get(1).asString().toUpperCase(Locale.ROOT);
        boolean silent = item.endsWith(".SILENT");
        String base = silent ? item.substring(0, item.length() - 7) : item;
        FlagChange change = switch (base) {
            case "FLAGS" -> FlagChange.REPLACE;
            case "+FLAGS" -> FlagChange.ADD;
            case "-FLAGS" -> FlagChange.REMOVE;
            default -> null;
        };
        Set<String> flags = args.get(2) instanceof Value.ListValue list ? flags(list)
                : args.get(2) instanceof Value.Atom atom ? flags(new Value.ListValue(List.of(atom))) : null;
        SequenceSet set = SequenceSet.parse(args.get(0).asString(), byUid ? view.largestUid() : view.count());
        if (change == null || flags == null || set == null || flags.contains("\\Recent")) {
            c.write(r.tag() + " BAD Invalid STORE arguments");
            return;
        }
        if (view.readOnly()) {
            c.write(r.tag() + " NO [READ-ONLY] Mailbox is read-only");
            return;
        }
        MailboxStore.Info mailbox = mailboxes.find(view.name());
        if (mailbox == null || !mayStore(mailbox, flags, change)) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        List<Long> uids = new ArrayList<>();
        for (long uid : view.uids()) {
            if (set.contains(byUid ? uid : view.numberOf(uid))) {
                uids.add(uid);
            }
        }
        List<Long> modified = new ArrayList<>();
        for (MessageStore.Info m : storeFlags(view.name(), uids, change, flags, unchangedSince, modified)) {
            if (!silent) {
                c.write(flagsUpdate(c, view, m, byUid));
            } else if (condstore(c)) { // RFC 7162 3.1.3: .SILENT still reports the new MODSEQ
                view.reported(m);
                c.write("* " + view.numberOf(m.uid()) + " FETCH (UID " + m.uid() + " MODSEQ (" + m.modseq() + "))");
            } else {
                view.reported(m); // the client asked not to be told; NOOP won't tell it either
            }
        }
        if (modified.isEmpty()) {
            c.write(r.tag() + " OK Completed");
        } else {
            List<Long> ids = modified.stream().map(u -> byUid ? u : (long) view.numberOf(u)).sorted().toList();
            c.write(r.tag() + " OK [MODIFIED " + SequenceSet.format(ids) + "] Conditional STORE failed for some messages");
        }
    }

    /** \Seen needs s, \Deleted t, anything else w (RFC 4314). */
    private boolean mayStore(MailboxStore.Info m, Set<String> flags, FlagChange change) {
        Set<String> touched = new HashSet<>(flags);
        if (change == FlagChange.REPLACE) {
            touched.addAll(List.of("\\Seen", "\\Deleted", "\\Answered"));
        }
        for (String f : touched) {
            char right = f.equalsIgnoreCase("\\Seen") ? 's' : f.equalsIgnoreCase("\\Deleted") ? 't' : 'w';
            if (!caller().may(m, right)) {
                return false;
            }
        }
        return true;
    }

    /** EXPUNGE, UID EXPUNGE set, and the silent expunge of CLOSE. */
    public void expunge(TaggedRequest r, Connection c, String uidSet, boolean silent) {
        SelectedMailbox view = selected(c);
        if (view.readOnly()) {
            if (!silent) {
                c.write(r.tag() + " NO [READ-ONLY] Mailbox is read-only");
            }
            return;
        }
        MailboxStore.Info mailbox = mailboxes.find(view.name());
        if (mailbox == null || !caller().may(mailbox, 'e')) {
            if (!silent) {
                c.write(r.tag() + " NO [NOPERM] Permission denied");
            }
            return;
        }
        List<Long> only = null;
        if (uidSet != null) {
            SequenceSet set = SequenceSet.parse(uidSet, view.largestUid());
            if (set == null) {
                c.write(r.tag() + " BAD Invalid sequence set");
                return;
            }
            only = view.uids().stream().filter(set::contains).toList();
        }
        List<Long> gone = messages.expunge(view.name(), only);
        if (!silent) {
            for (long uid : gone) {
                int n = view.expunged(uid);
                if (n > 0) {
                    c.write("* " + n + " EXPUNGE");
                }
            }
            c.write(r.tag() + " OK Completed");
        }
    }

    /** SEARCH / UID SEARCH: the numbers (or UIDs) of the messages matching every key. */
    public void search(TaggedRequest r, Connection c, boolean byUid, List<Value> args) {
        SelectedMailbox view = selected(c);
        SearchQuery.Program query;
        try {
            query = SearchQuery.parse(args, view.count(), view.largestUid());
        } catch (SearchQuery.ParseException e) {
            c.write(r.tag() + (e.getMessage().startsWith("[BADCHARSET") ? " NO " : " BAD ") + e.getMessage());
            return;
        }
        StringBuilder hits = new StringBuilder("* SEARCH");
        long highestModseq = 0;
        Map<Long, byte[]>[] headers = new Map[1]; // all of the mailbox's, in one query, once a key needs one
        for (MessageStore.Info m : visible(view.name())) {
            int n = view.numberOf(m.uid());
            if (n == 0) {
                continue;
            }
            Supplier<byte[]> header = () -> {
                if (headers[0] == null) {
                    headers[0] = messages.headers(view.name(), null);
                }
                byte[] h = headers[0].get(m.uid());
                return h != null ? h : headerOf(m);
            };
            if (query.key().matches(new SearchQuery.Candidate(m, n, header, file(m)))) {
                hits.append(' ').append(byUid ? m.uid() : n);
                highestModseq = Math.max(highestModseq, m.modseq());
            }
        }
        if (query.usesModseq()) {
            enableCondstore(c);
            if (highestModseq > 0) {
                hits.append(" (MODSEQ ").append(highestModseq).append(')');
            }
        }
        c.write(hits.toString());
        c.write(r.tag() + " OK Completed");
    }

    /**
     * COPY / MOVE (RFC 6851) and their UID forms: each message appended to the target with its flags and
     * internal date, answered with {@code COPYUID}; MOVE then expunges the originals (right {@code e} and
     * {@code t} on the source, checked before anything is copied).
     */
    public void copy(TaggedRequest r, Connection c, boolean byUid, List<Value> args, String target, boolean move) {
        SelectedMailbox view = selected(c);
        if (args.size() != 2 || target == null) {
            c.write(r.tag() + " BAD " + (move ? "MOVE" : "COPY") + " takes a sequence set and a mailbox");
            return;
        }
        SequenceSet set = SequenceSet.parse(args.get(0).asString(), byUid ? view.largestUid() : view.count());
        if (set == null) {
            c.write(r.tag() + " BAD Invalid sequence set");
            return;
        }
        MailboxStore.Info to = mailboxes.find(target);
        MailboxStore.Info from = mailboxes.find(view.name());
        String elsewhere = to == null ? frontend.otherBackendOf(target) : null;
        if (to == null && elsewhere == null) {
            c.write(r.tag() + " NO [TRYCREATE] Mailbox does not exist");
            return;
        }
        if (elsewhere != null) { // a unified node: the selection is here, the target on another backend
            copyOut(r, c, byUid, set, from, elsewhere, args.get(1).asString(), move);
            return;
        }
        if (!caller().may(to, 'i') || from == null || !caller().may(from, 'r') || move && (view.readOnly() || !caller().may(from, 'e') || !caller().may(from, 't'))) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        List<MessageStore.Info> chosen = visibleIn(view, set, byUid);
        List<String> sourceUids = new ArrayList<>();
        List<String> targetUids = new ArrayList<>();
        if (!chosen.isEmpty()) {
            List<Set<String>> flags = new ArrayList<>();
            for (MessageStore.Info m : chosen) {
                Set<String> f = new LinkedHashSet<>(m.flags());
                if (move) {
                    f.removeIf("\\Deleted"::equalsIgnoreCase);
                }
                flags.add(f);
            }
            long[] uids = messages.copy(move ? view.name() : null, target, chosen, flags); // all or nothing
            DurableCommit.force(mailstore);
            if (uids.length == 1 && uids[0] < 0) {
                c.write(r.tag() + (uids[0] == MessageStore.OVER_QUOTA ? " NO [OVERQUOTA] Quota exceeded"
                        : " NO [TRYCREATE] Mailbox does not exist"));
                return;
            }
            for (int i = 0; i < chosen.size(); i++) {
                sourceUids.add(String.valueOf(chosen.get(i).uid()));
                targetUids.add(String.valueOf(uids[i]));
            }
        }
        String copyUid = chosen.isEmpty() ? "" : "[COPYUID " + to.uidValidity() + " " + String.join(",", sourceUids) + " "
                + String.join(",", targetUids) + "] ";
        if (move && !chosen.isEmpty()) {
            removeMoved(r, c, view, chosen.stream().map(MessageStore.Info::uid).toList(), copyUid);
            return;
        }
        if (target.equals(view.name())) {
            sync(c, view);
        }
        c.write(r.tag() + " OK " + copyUid + "Completed");
    }

    /** A parenthesised flag list; null if malformed (not atoms, or an unknown system flag). */
    static Set<String> flags(Value.ListValue list) {
        Set<String> flags = new LinkedHashSet<>();
        for (Value v : list.items()) {
            if (!(v instanceof Value.Atom)) {
                return null;
            }
            String f = v.asString();
            if (f.startsWith("\\")) {
                String upper = f.toUpperCase(Locale.ROOT);
                if (!SYSTEM_FLAGS.contains(upper) && !upper.equals("\\RECENT")) {
                    return null;
                }
                f = "\\" + upper.charAt(1) + upper.substring(2).toLowerCase(Locale.ROOT);
            }
            flags.add(f);
        }
        return flags;
    }
}
