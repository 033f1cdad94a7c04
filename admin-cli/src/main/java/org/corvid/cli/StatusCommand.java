package org.corvid.cli;

import jakarta.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code status}: the node, its MUPDATE side and its listeners. */
@Command(name = "status", description = "Show the node: roles, MUPDATE side, list size, listeners, traffic per protocol and role, heap.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    private CorvidAdmin admin;

    @Override
    public Integer call() {
        return CorvidAdmin.run(() -> {
            JsonObject health = (JsonObject) admin.api().get("/api/health");
            JsonObject mupdate = (JsonObject) admin.api().get("/api/mupdate/status");
            if (admin.json) {
                System.out.println(health);
                System.out.println(mupdate);
                return;
            }
            System.out.println("node\t" + health.getString("node") + " " + health.getJsonArray("roles") + " " + health.getString("version"));
            System.out.println("mupdate\t" + mupdate.getString("mode")
                    + (mupdate.isNull("master") ? "" : " of " + mupdate.getString("master"))
                    + (mupdate.getBoolean("synced") ? ", synced" : ", NOT synced") + ", " + mupdate.getJsonNumber("listSize")
                    + " mailboxes, " + mupdate.getInt("streamingClients") + " streaming");
            for (JsonObject l : health.getJsonArray("listeners").getValuesAs(JsonObject.class)) {
                System.out.println(l.getString("protocol").toLowerCase(java.util.Locale.ROOT) + (l.getBoolean("tls") ? "s" : "")
                        + "\t" + l.getString("bindAddress") + ":" + l.getInt("port") + ", " + l.getInt("openConnections") + " open");
            }
            JsonObject mbeans = (JsonObject) admin.api().get("/api/jmx");
            mbeans.forEach((name, value) -> {
                if (name.startsWith("org.corvid:type=Traffic,")) {
                    JsonObject t = value.asJsonObject();
                    StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "traffic\t%s %s: %.1f commands/s, %d commands, %d client connections",
                            t.getString("Protocol"), t.getString("Role"), t.getJsonNumber("CommandsPerSecond").doubleValue(),
                            t.getJsonNumber("Commands").longValue(), t.getInt("ClientConnections")));
                    if (t.containsKey("BackendConnections")) {
                        line.append(String.format(java.util.Locale.ROOT, "; %d backend connections (%d idle), latency p50 %.2f ms, p99 %.2f ms",
                                t.getInt("BackendConnections"), t.getInt("BackendConnectionsIdle"),
                                t.getJsonNumber("LatencyP50Millis").doubleValue(), t.getJsonNumber("LatencyP99Millis").doubleValue()));
                    }
                    System.out.println(line);
                }
            });
            JsonObject jvm = health.getJsonObject("jvm");
            System.out.printf("heap\t%d of %d MB%n", jvm.getJsonNumber("heapUsed").longValue() >> 20, jvm.getJsonNumber("heapMax").longValue() >> 20);
        });
    }
}
