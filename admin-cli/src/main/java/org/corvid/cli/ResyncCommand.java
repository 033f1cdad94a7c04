package org.corvid.cli;

import jakarta.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code resync [--apply]}: the backend's resync with the master (Cyrus {@code ctl_mboxlist -m}). */
@Command(name = "resync", description = "Print the backend's resync plan with the MUPDATE master, or carry it out.")
final class ResyncCommand implements Callable<Integer> {
    @ParentCommand
    private CorvidAdmin admin;

    @Option(names = "--apply", description = "carry the plan out (default: a dry run)")
    boolean apply;

    @Override
    public Integer call() {
        return CorvidAdmin.run(() -> {
            JsonObject body = (JsonObject) (apply ? admin.api().post("/api/backend/resync") : admin.api().get("/api/backend/resync"));
            if (admin.json) {
                System.out.println(body);
                return;
            }
            var steps = body.getJsonArray("steps");
            for (JsonObject step : steps.getValuesAs(JsonObject.class)) { // {action, mailbox, detail}
                System.out.println(step.getString("action", "?") + "\t" + step.getString("mailbox", "")
                        + (step.isNull("detail") ? "" : "\t" + step.getString("detail", "")));
            }
            System.err.println((apply ? "applied " : "plan (dry run): ") + steps.size() + " step(s)");
        });
    }
}
