package org.corvid.cli;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code move MAILBOX SERVER[!PARTITION]}: a live move, followed with a progress bar until it ends. */
@Command(name = "move", description = "Move a mailbox (user.NAME: the whole user) to another backend, live.")
final class MoveCommand implements Callable<Integer> {
    private static final int BAR = 30;

    @ParentCommand
    private CorvidAdmin admin;

    @Parameters(index = "0", description = "the mailbox, e.g. user.bob (the whole user) or shared.news")
    String mailbox;

    @Parameters(index = "1", description = "the destination backend, optionally with a partition: backend2!spool2")
    String server;

    @Option(names = "--no-wait", description = "start the move and print its id, without following it")
    boolean noWait;

    @Override
    public Integer call() {
        int[] status = {0};
        int run = CorvidAdmin.run(() -> {
            JsonObject job = (JsonObject) admin.api().post("/api/moves",
                    Json.createObjectBuilder().add("mailbox", mailbox).add("server", server).build().toString());
            String id = job.getString("id");
            if (noWait) {
                System.out.println(admin.json ? job.toString() : id);
                return;
            }
            while (!ended(job.getString("state"))) {
                if (!admin.json) {
                    System.err.print("\r" + progress(job));
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                job = (JsonObject) admin.api().get("/api/moves/" + id);
            }
            if (admin.json) {
                System.out.println(job);
            } else {
                System.err.println("\r" + progress(job));
            }
            String state = job.getString("state");
            if (state.equals("DONE") || state.equals("SWITCHED")) {
                System.out.println(mailbox + " is now on " + job.getString("target") + " (final phase "
                        + (job.isNull("finalPhaseMillis") ? "?" : job.getJsonNumber("finalPhaseMillis")) + " ms)");
            } else {
                System.err.println("corvid-admin: the move failed and " + mailbox + " stays on " + job.getString("source")
                        + ": " + job.getString("error", "?"));
                status[0] = 1;
            }
        });
        return run != 0 ? run : status[0];
    }

    /** A move's run is over for its caller: switched (the source's cleanup may go on), or rolled back. */
    static boolean ended(String state) {
        return state.equals("DONE") || state.equals("SWITCHED") || state.equals("FAILED") || state.equals("ROLLING_BACK");
    }

    /** {@code [##########          ]  50%  1000/2000 messages  1.2 MB/s  ETA 10 s  copying}. */
    static String progress(JsonObject job) {
        int percent = job.getInt("percent", 0);
        int filled = percent * BAR / 100;
        StringBuilder line = new StringBuilder("[").append("#".repeat(filled)).append(" ".repeat(BAR - filled))
                .append("] ").append(String.format(Locale.ROOT, "%3d%%", percent)).append("  ")
                .append(job.getJsonNumber("messagesCopied")).append('/').append(job.getJsonNumber("messagesTotal"))
                .append(" messages");
        if (job.containsKey("bytesPerSecond") && !job.isNull("bytesPerSecond")) {
            line.append(String.format(Locale.ROOT, "  %.1f MB/s", job.getJsonNumber("bytesPerSecond").longValue() / 1e6));
        }
        if (job.containsKey("etaSeconds") && !job.isNull("etaSeconds")) {
            line.append("  ETA ").append(job.getJsonNumber("etaSeconds")).append(" s");
        }
        return line.append("  ").append(job.getString("state").toLowerCase(Locale.ROOT)).append("   ").toString();
    }
}
