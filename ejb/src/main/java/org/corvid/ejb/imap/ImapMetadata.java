package org.corvid.ejb.imap;

import jakarta.annotation.Resource;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.corvid.ejb.backend.MailboxStore;
import org.corvid.jca.api.Connection;
import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * GETMETADATA and SETMETADATA (RFC 5464) for the one entry Corvid keeps: {@code /private/specialuse} (RFC 6154
 * section 4), the mailbox's special use, so a client marks an existing folder {@code \Sent} as it would with
 * {@code CREATE ... (USE (\Sent))}. Reading needs the rights {@code l} and {@code r}; as the special use is the
 * mailbox's (Corvid does not keep it per user), setting it needs {@code a} (the owner, or an administrator).
 * Other entries are never present ({@code NIL}) and cannot be set ({@code NO [METADATA TOOMANY]}).
 */
@Stateless
@PermitAll
@DeclareRoles(Namespaces.ADMIN_ROLE)
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class ImapMetadata {
    static final String SPECIAL_USE = "/private/specialuse";

    @Resource
    private SessionContext context;

    @EJB
    private MailboxStore store;

    /** {@code GETMETADATA [(options)] mailbox entry | (entries)}. */
    public void getmetadata(TaggedRequest r, Connection c) {
        List<Value> args = new ArrayList<>(r.args());
        int depth = 0;
        if (args.size() == 3 && args.get(0) instanceof Value.ListValue options) {
            depth = depth(options);
            if (depth < -1) {
                c.write(r.tag() + " BAD GETMETADATA options are MAXSIZE n and DEPTH 0, 1 or infinity");
                return;
            }
            args.remove(0);
        }
        List<String> entries = args.size() == 2 ? entries(args.get(1)) : null;
        if (entries == null || args.get(0).asString() == null) {
            c.write(r.tag() + " BAD GETMETADATA takes [options] a mailbox and an entry or a list of entries");
            return;
        }
        String mailbox = args.get(0).asString();
        Map<String, String> values = new LinkedHashMap<>();
        if (!mailbox.isEmpty()) { // "": the server's entries, of which there are none
            MailboxStore.Info m = visible(r, c, mailbox);
            if (m == null) {
                return;
            }
            if (!Caller.of(context).may(m, 'r')) {
                c.write(r.tag() + " NO [NOPERM] Permission denied");
                return;
            }
            for (String entry : entries) {
                boolean below = depth != 0 && SPECIAL_USE.startsWith(entry + "/")
                        && (depth == -1 || SPECIAL_USE.substring(entry.length() + 1).indexOf('/') < 0);
                if (entry.equals(SPECIAL_USE) || below) {
                    values.put(SPECIAL_USE, m.specialUse());
                } else if (depth == 0) {
                    values.put(entry, null);
                }
            }
        } else if (depth == 0) {
            entries.forEach(e -> values.put(e, null));
        }
        if (!values.isEmpty()) {
            StringBuilder line = new StringBuilder("* METADATA ").append(ImapMailboxes.astring(mailbox)).append(" (");
            values.forEach((entry, value) -> line.append(line.charAt(line.length() - 1) == '(' ? "" : " ").append(entry)
                    .append(' ').append(value == null ? "NIL" : ImapMailboxes.quoted(value)));
            c.write(line.append(')').toString());
        }
        c.write(r.tag() + " OK Completed");
    }

    /** {@code SETMETADATA mailbox (entry value ...)}; a NIL value removes the entry. */
    public void setmetadata(TaggedRequest r, Connection c) {
        if (r.args().size() != 2 || r.string(0) == null || !(r.args().get(1) instanceof Value.ListValue list)
                || list.items().isEmpty() || list.items().size() % 2 != 0) {
            c.write(r.tag() + " BAD SETMETADATA takes a mailbox and a list of entries and values");
            return;
        }
        Map<String, Value> changes = new LinkedHashMap<>();
        for (int i = 0; i < list.items().size(); i += 2) {
            String entry = entry(list.items().get(i));
            if (entry == null) {
                c.write(r.tag() + " BAD Invalid entry name");
                return;
            }
            changes.put(entry, list.items().get(i + 1));
        }
        if (r.string(0).isEmpty() || changes.keySet().stream().anyMatch(e -> !e.equals(SPECIAL_USE))) {
            c.write(r.tag() + " NO [METADATA TOOMANY] Only " + SPECIAL_USE + " of a mailbox can be set");
            return;
        }
        MailboxStore.Info m = visible(r, c, r.string(0));
        if (m == null) {
            return;
        }
        if (!Caller.of(context).may(m, 'a')) {
            c.write(r.tag() + " NO [NOPERM] Permission denied");
            return;
        }
        Value value = changes.get(SPECIAL_USE);
        String use = null;
        if (value != Value.Nil.NIL) {
            String text = value.asString();
            if (text == null) {
                c.write(r.tag() + " BAD Invalid value");
                return;
            }
            List<String> uses = new ArrayList<>();
            for (String u : text.trim().split("\\s+")) {
                String known = ImapMailboxes.SPECIAL_USES.stream().filter(u::equalsIgnoreCase).findFirst().orElse(null);
                if (known == null) {
                    c.write(r.tag() + " NO [USEATTR] Unsupported special-use attribute " + u);
                    return;
                }
                uses.add(known);
            }
            use = String.join(" ", uses);
        }
        store.setSpecialUse(m.name(), use);
        c.write(r.tag() + " OK Completed");
    }

    /** The mailbox, if the caller may see it ({@code l}); null when answered. */
    private MailboxStore.Info visible(TaggedRequest r, Connection c, String imapName) {
        Caller caller = Caller.of(context);
        String name = caller.names().toInternal(imapName);
        MailboxStore.Info m = name == null ? null : store.find(name);
        if (m == null || !caller.may(m, 'l')) {
            c.write(r.tag() + " NO [NONEXISTENT] Mailbox does not exist");
            return null;
        }
        return m;
    }

    /** An entry name, lower-cased (they are case-insensitive): {@code /private/...} or {@code /shared/...}. */
    private static String entry(Value v) {
        String e = v.asString();
        if (e == null) {
            return null;
        }
        e = e.toLowerCase(Locale.ROOT);
        return e.matches("/(private|shared)(/[^/*%\\s\\x00-\\x1f]+)*") && !e.endsWith("/") ? e : null;
    }

    private static List<String> entries(Value v) {
        List<Value> items = v instanceof Value.ListValue list ? list.items() : List.of(v);
        List<String> out = new ArrayList<>();
        for (Value item : items) {
            String e = entry(item);
            if (e == null) {
                return null;
            }
            out.add(e);
        }
        return out.isEmpty() ? null : out;
    }

    /** DEPTH of the options (0, 1, -1 for infinity); MAXSIZE accepted (the value is short); -2 if malformed. */
    private static int depth(Value.ListValue options) {
        List<Value> o = options.items();
        if (o.size() % 2 != 0) {
            return -2;
        }
        int depth = 0;
        for (int i = 0; i < o.size(); i += 2) {
            String name = o.get(i).asString();
            String value = o.get(i + 1).asString();
            if (name == null || value == null) {
                return -2;
            }
            if (name.equalsIgnoreCase("DEPTH")) {
                depth = switch (value.toLowerCase(Locale.ROOT)) {
                    case "0" -> 0;
                    case "1" -> 1;
                    case "infinity" -> -1;
                    default -> -2;
                };
                if (depth == -2) {
                    return -2;
                }
            } else if (!name.equalsIgnoreCase("MAXSIZE") || !value.matches("[0-9]{1,9}")) {
                return -2;
            }
        }
        return depth;
    }
}
