package org.corvid.ejb.move;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON of the calls a move makes on its destination: both ends read and write it here. */
public final class MoveJson {
    private MoveJson() {
    }

    public static JsonObject parse(String json) {
        try (var r = Json.createReader(new StringReader(json))) {
            return r.readObject();
        }
    }

    public static JsonArray parseArray(String json) {
        try (var r = Json.createReader(new StringReader(json))) {
            return r.readArray();
        }
    }

    public static String mailboxes(List<MoveStore.MailboxMeta> mailboxes) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        for (MoveStore.MailboxMeta m : mailboxes) {
            a.add(Json.createObjectBuilder().add("name", m.name()).add("partition", m.partition())
                    .add("uniqueId", m.uniqueId()).add("uidValidity", m.uidValidity()).add("uidNext", m.uidNext())
                    .add("highestModseq", m.highestModseq()).add("acl", m.acl())
                    .add("specialUse", m.specialUse() == null ? JsonValue.NULL : Json.createValue(m.specialUse()))
                    .add("messages", m.messages()).add("bytes", m.bytes()));
        }
        return a.build().toString();
    }

    public static List<MoveStore.MailboxMeta> mailboxes(JsonArray a) {
        List<MoveStore.MailboxMeta> out = new ArrayList<>();
        for (JsonObject o : a.getValuesAs(JsonObject.class)) {
            out.add(new MoveStore.MailboxMeta(o.getString("name"), o.getString("partition"), o.getString("uniqueId"),
                    o.getJsonNumber("uidValidity").longValue(), o.getJsonNumber("uidNext").longValue(),
                    o.getJsonNumber("highestModseq").longValue(), o.getString("acl"),
                    o.isNull("specialUse") ? null : o.getString("specialUse"),
                    o.getJsonNumber("messages").longValue(), o.getJsonNumber("bytes").longValue()));
        }
        return out;
    }

    public static String lastUids(Map<String, Long> lastUids) {
        JsonObjectBuilder o = Json.createObjectBuilder();
        lastUids.forEach(o::add);
        return o.build().toString();
    }

    public static Map<String, Long> lastUids(JsonObject o) {
        Map<String, Long> out = new LinkedHashMap<>();
        o.forEach((k, v) -> out.put(k, ((JsonNumber) v).longValue()));
        return out;
    }

    public static String changes(List<MoveStore.Changes> all) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        all.forEach(c -> a.add(changes(c)));
        return a.build().toString();
    }

    public static List<MoveStore.Changes> changes(JsonArray a) {
        return a.getValuesAs(JsonObject.class).stream().map(MoveJson::changes).toList();
    }

    private static JsonObject changes(MoveStore.Changes c) {
        JsonArrayBuilder flags = Json.createArrayBuilder();
        for (Object[] f : c.flags()) {
            flags.add(Json.createArrayBuilder().add(((Number) f[0]).longValue()).add(((Number) f[1]).longValue())
                    .add((String) f[2]));
        }
        return Json.createObjectBuilder().add("mailbox", c.mailbox()).add("uidNext", c.uidNext())
                .add("highestModseq", c.highestModseq()).add("acl", c.acl()).add("flags", flags)
                .add("upTo", c.upTo()).add("uids", c.uids()).build();
    }

    private static MoveStore.Changes changes(JsonObject o) {
        List<Object[]> flags = new ArrayList<>();
        for (JsonArray f : o.getJsonArray("flags").getValuesAs(JsonArray.class)) {
            flags.add(new Object[] {f.getJsonNumber(0).longValue(), f.getJsonNumber(1).longValue(), f.getString(2)});
        }
        return new MoveStore.Changes(o.getString("mailbox"), o.getJsonNumber("uidNext").longValue(),
                o.getJsonNumber("highestModseq").longValue(), o.getString("acl"), flags,
                o.getJsonNumber("upTo").longValue(), o.getString("uids"));
    }

    /** The commit: the final mailbox names, the quota root and the per-user data. */
    public static String commit(List<String> names, String root, MoveStore.UserData d) {
        JsonObjectBuilder subs = Json.createObjectBuilder();
        d.subscriptions().forEach((user, list) -> subs.add(user, Json.createArrayBuilder(list)));
        JsonArrayBuilder seen = Json.createArrayBuilder();
        d.seen().forEach(s -> seen.add(Json.createArrayBuilder().add(s[0]).add(s[1]).add(s[2])));
        JsonObjectBuilder o = Json.createObjectBuilder().add("names", Json.createArrayBuilder(names)).add("root", root)
                .add("subscriptions", subs).add("seen", seen);
        if (d.quota() != null) {
            JsonArrayBuilder q = Json.createArrayBuilder();
            for (Long limit : d.quota()) {
                if (limit == null) {
                    q.addNull();
                } else {
                    q.add(limit);
                }
            }
            o.add("quota", q);
        }
        return o.build().toString();
    }

    public static List<String> names(JsonObject commit) {
        return commit.getJsonArray("names").getValuesAs(jakarta.json.JsonString.class).stream()
                .map(jakarta.json.JsonString::getString).toList();
    }

    public static MoveStore.UserData userData(JsonObject commit) {
        Map<String, List<String>> subs = new LinkedHashMap<>();
        commit.getJsonObject("subscriptions").forEach((user, v) -> subs.put(user, v.asJsonArray()
                .getValuesAs(jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).toList()));
        List<String[]> seen = new ArrayList<>();
        for (JsonArray s : commit.getJsonArray("seen").getValuesAs(JsonArray.class)) {
            seen.add(new String[] {s.getString(0), s.getString(1), s.getString(2)});
        }
        Long[] quota = null;
        if (commit.containsKey("quota")) {
            JsonArray q = commit.getJsonArray("quota");
            quota = new Long[3];
            for (int i = 0; i < 3; i++) {
                quota[i] = q.isNull(i) ? null : q.getJsonNumber(i).longValue();
            }
        }
        return new MoveStore.UserData(subs, seen, quota);
    }
}
