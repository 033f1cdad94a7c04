package org.corvid.cli;

import jakarta.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code find NAME}: where the MUPDATE master places a mailbox. */
@Command(name = "find", description = "Show the MUPDATE master's entry for a mailbox: state, location, ACL.")
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
        });
    }
}
