package org.corvid.cli;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code moves [--cancel ID]}: the moves of every backend, newest first; or cancel one still copying. */
@Command(name = "moves", description = "List the murder's moves (running and past), or cancel one still copying.")
final class MovesCommand implements Callable<Integer> {
    @ParentCommand
    private CorvidAdmin admin;

    @Option(names = "--cancel", paramLabel = "ID", description = "cancel this move (it rolls back)")
    String cancel;

    @Override
    public Integer call() {
        return CorvidAdmin.run(() -> {
            if (cancel != null) {
                JsonObject job = (JsonObject) admin.api().delete("/api/moves/" + Api.encode(cancel));
                System.out.println(admin.json ? job.toString() : "cancelling " + cancel + " (" + job.getString("state") + ")");
                return;
            }
            JsonArray moves = (JsonArray) admin.api().get("/api/moves");
            if (admin.json) {
                System.out.println(moves);
                return;
            }
            for (JsonObject m : moves.getValuesAs(JsonObject.class)) {
                System.out.println(String.join("\t", m.getString("id"), m.getString("mailbox"),
                        m.getString("source") + "->" + m.getString("target"), m.getString("state"),
                        m.getInt("percent", 0) + "%", m.getJsonNumber("messagesCopied") + "/" + m.getJsonNumber("messagesTotal"),
                        m.isNull("finalPhaseMillis") ? "-" : m.getJsonNumber("finalPhaseMillis") + "ms",
                        m.getString("createdAt"), m.isNull("error") ? "" : m.getString("error")));
            }
            System.err.println(moves.size() + " move(s)");
        });
    }
}
