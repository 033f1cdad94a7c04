package org.corvid.cli;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code drain BACKEND [--to SERVER]}: moves everything off a backend, one live move at a time: each user
 * (their INBOX takes every folder along) and each mailbox outside {@code user.*}. The destination is
 * {@code --to}, else the other backend with the fewest mailboxes. Set {@code corvid.placement} on the frontends
 * first, so that no new user lands on the backend meanwhile.
 */
@Command(name = "drain", description = "Move every mailbox off a backend, live, one user (or shared mailbox) at a time.")
final class DrainCommand implements Callable<Integer> {
    @ParentCommand
    private CorvidAdmin admin;

    @Parameters(index = "0", description = "the backend to empty")
    String backend;

    @Option(names = "--to", description = "the destination (default: the other backend with the fewest mailboxes)")
    String to;

    @Option(names = "--dry-run", description = "print the moves without starting them")
    boolean dryRun;

    @Override
    public Integer call() {
        int[] failed = {0};
        int run = CorvidAdmin.run(() -> {
            String target = to != null ? to : emptiestOther();
            List<String> roots = movable();
            System.err.println(roots.size() + " move(s) from " + backend + " to " + target + (dryRun ? " (dry run)" : ""));
            for (String mailbox : roots) {
                if (dryRun) {
                    System.out.println(mailbox + "\t" + backend + "->" + target);
                    continue;
                }
                JsonObject job = (JsonObject) admin.api().post("/api/moves?wait=3600",
                        Json.createObjectBuilder().add("mailbox", mailbox).add("server", target).build().toString());
                String state = job.getString("state");
                boolean ok = state.equals("DONE") || state.equals("SWITCHED");
                System.out.println(mailbox + "\t" + (ok ? "moved to " + target : "FAILED: " + job.getString("error", state)));
                if (!ok) {
                    failed[0]++;
                }
            }
        });
        return run != 0 ? run : failed[0] == 0 ? 0 : 1;
    }

    /** Each user's INBOX and each mailbox outside user.* on the backend, from the mailbox list (all pages). */
    private List<String> movable() throws Api.Failure {
        List<String> roots = new ArrayList<>();
        String after = null;
        do {
            JsonObject page = (JsonObject) admin.api().get("/api/mailboxes?limit=1000" + (after == null ? "" : "&after=" + Api.encode(after)));
            for (JsonObject m : page.getJsonArray("items").getValuesAs(JsonObject.class)) {
                String name = m.getString("name");
                boolean userFolder = name.startsWith("user.") && name.indexOf('.', 5) > 0;
                if (m.getString("server").equalsIgnoreCase(backend) && !userFolder) {
                    roots.add(name);
                }
            }
            after = page.isNull("next") ? null : page.getString("next");
        } while (after != null);
        return roots;
    }

    private String emptiestOther() throws Api.Failure {
        return ((jakarta.json.JsonArray) admin.api().get("/api/servers")).getValuesAs(JsonObject.class).stream()
                .filter(s -> !s.getString("name").equalsIgnoreCase(backend))
                .filter(s -> !s.containsKey("roles") || s.getJsonArray("roles").toString().contains("backend"))
                .filter(s -> "up".equals(s.getString("status", "")))
                .min(Comparator.comparingLong(s -> s.getJsonNumber("mailboxes").longValue()))
                .map(s -> s.getString("name"))
                .orElseThrow(() -> new Api.Failure("no other backend is up to drain " + backend + " to; name one with --to"));
    }
}
