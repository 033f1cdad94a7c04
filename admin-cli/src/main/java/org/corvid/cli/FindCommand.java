package org.corvid.cli;

import jakarta.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code find NAME}: where the MUPDATE master places a mailbox, and what its backend says of it. */
@Command(name = "find", description = "Show the MUPDATE master's entry for a mailbox (state, location, ACL) and its backend's figures (messages, quota).")
final class FindCommand implements Callable<Integer> {
    @ParentCommand
    private CorvidAdmin admin;

    @Parameters(paramLabel = "MAILBOX", description = "internal name, e.g. user.alice or user.alice.Sent")
    String name;

    @Override
    public Integer call() {
        return CorvidAdmin.run(() -> {
            JsonObject m = (JsonObject) admin.api().get("/api/mupdate/mailboxes/" + Api.encode(name));
            if (admin.json) {
                System.out.println(m);
                return;
            }
            System.out.println(m.getString("name") + "\t" + m.getString("location") + "\t" + m.getString("state"));
            System.out.println("acl\t" + m.getString("acl", "").replace('\t', ' ').trim());
            JsonObject box;
            try {
                box = (JsonObject) admin.api().get("/api/mailboxes/" + Api.encode(name));
            } catch (Api.Failure e) { // not in this node's cache yet: the master's entry is all there is
                return;
            }
            if (box.isNull("details")) {
                System.out.println("details\t" + box.getString("detailsError", "none"));
                return;
            }
            JsonObject d = box.getJsonObject("details");
            System.out.println("messages\t" + d.getJsonNumber("messages") + ", " + d.getJsonNumber("bytes") + " bytes, uidvalidity "
                    + d.getJsonNumber("uidValidity") + ", uidnext " + d.getJsonNumber("uidNext"));
            if (!d.isNull("quota")) {
                JsonObject q = d.getJsonObject("quota");
                System.out.println("quota\t" + q.getString("root") + ": " + q.getJsonNumber("storageUsedKib") + " of "
                        + limit(q, "storageLimitKib") + " KiB, " + q.getJsonNumber("messagesUsed") + " of "
                        + limit(q, "messageLimit") + " messages, " + q.getJsonNumber("mailboxesUsed") + " of "
                        + limit(q, "mailboxLimit") + " mailboxes");
            }
        });
    }

    private static String limit(JsonObject quota, String key) {
        return quota.isNull(key) ? "unlimited" : quota.getJsonNumber(key).toString();
    }
}
