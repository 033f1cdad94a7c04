package org.corvid.cli;

import jakarta.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code mailboxes}: the mailboxes whose names start with a prefix, page after page. */
@Command(name = "mailboxes", description = "List mailboxes by name prefix (e.g. user.alice), in name order.")
final class MailboxesCommand implements Callable<Integer> {
    @ParentCommand
    private CorvidAdmin admin;

    @Option(names = "--prefix", defaultValue = "", description = "name prefix (default: every mailbox)")
    String prefix;

    @Option(names = "--limit", defaultValue = "100", description = "at most this many (default ${DEFAULT-VALUE}); 0 for all")
    int limit;

    @Override
    public Integer call() {
        return CorvidAdmin.run(() -> {
            String after = null;
            long shown = 0;
            long matching = 0;
            do {
                int page = limit == 0 ? 1000 : (int) Math.min(1000, limit - shown);
                JsonObject body = (JsonObject) admin.api().get("/api/mailboxes?prefix=" + Api.encode(prefix) + "&limit=" + page
                        + (after == null ? "" : "&after=" + Api.encode(after)));
                matching = body.getJsonNumber("matching").longValue();
                for (JsonObject m : body.getJsonArray("items").getValuesAs(JsonObject.class)) {
                    System.out.println(admin.json ? m.toString() : m.getString("name") + "\t" + m.getString("server") + "!"
                            + m.getString("partition") + "\t" + m.getString("state"));
                    shown++;
                }
                after = body.isNull("next") ? null : body.getString("next");
            } while (after != null && (limit == 0 || shown < limit));
            if (!admin.json) {
                System.err.println(shown + " of " + matching + " mailboxes" + (prefix.isEmpty() ? "" : " under " + prefix));
            }
        });
    }
}
