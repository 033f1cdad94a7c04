package org.corvid.cli;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code servers}: one line per server of the murder, as the node sees it. */
@Command(name = "servers", description = "List the murder's servers: status, mailboxes, address, roles, partitions.")
final class ServersCommand implements Callable<Integer> {
    @ParentCommand
    private CorvidAdmin admin;

    @Override
    public Integer call() {
        return CorvidAdmin.run(() -> {
            JsonArray servers = (JsonArray) admin.api().get("/api/servers");
            if (admin.json) {
                System.out.println(servers);
                return;
            }
            System.out.printf("%-20s %-6s %10s  %-22s %s%n", "SERVER", "STATUS", "MAILBOXES", "IMAP", "ROLES / PARTITIONS");
            for (JsonObject s : servers.getValuesAs(JsonObject.class)) {
                StringBuilder more = new StringBuilder();
                if (s.containsKey("roles")) {
                    more.append(String.join(",", s.getJsonArray("roles").getValuesAs(JsonString.class).stream()
                            .map(JsonString::getString).toList())).append(" (this node)");
                }
                if (s.containsKey("partitions")) {
                    for (JsonObject p : s.getJsonArray("partitions").getValuesAs(JsonObject.class)) {
                        more.append(" ").append(p.getString("name"));
                        if (p.containsKey("freeBytes")) {
                            more.append(String.format(" %.1f GiB free", p.getJsonNumber("freeBytes").longValue() / (1024.0 * 1024 * 1024)));
                        }
                    }
                }
                System.out.printf("%-20s %-6s %10d  %-22s %s%n", s.getString("name"), s.getString("status"),
                        s.getJsonNumber("mailboxes").longValue(), s.getString("imap", "-"), more.toString().trim());
            }
        });
    }
}
