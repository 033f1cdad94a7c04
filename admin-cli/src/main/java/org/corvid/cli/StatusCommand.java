package org.corvid.cli;

import jakarta.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code status}: the node, its MUPDATE side and its listeners. */
@Command(name = "status", description = "Show the node: roles, MUPDATE side, list size, listeners, heap.")
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
            JsonObject jvm = health.getJsonObject("jvm");
            System.out.printf("heap\t%d of %d MB%n", jvm.getJsonNumber("heapUsed").longValue() >> 20, jvm.getJsonNumber("heapMax").longValue() >> 20);
        });
    }
}
