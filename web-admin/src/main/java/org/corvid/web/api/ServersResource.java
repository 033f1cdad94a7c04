package org.corvid.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.corvid.ejb.backend.Partitions;
import org.corvid.ejb.frontend.BackendAddresses;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.node.NodeConfig;

/**
 * {@code GET /api/servers}: the murder's servers as this node sees them: every server named in the mailbox
 * list or in {@code corvid.backends}, and this node; each with its mailbox count, its IMAP address and
 * whether that address accepts a connection now ({@code up}, {@code down}); this node also with its roles and
 * (a backend) its partitions and their free space.
 */
@Path("servers")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class ServersResource {
    private static final int PROBE_MILLIS = 500;

    @EJB
    private LocationCache locations;

    @EJB
    private NodeConfig node;

    @GET
    public List<Map<String, Object>> servers() {
        Map<String, Long> counts = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        locations.countsByServer().forEach((server, n) -> counts.merge(server, n, Long::sum));
        TreeSet<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(counts.keySet());
        names.addAll(BackendAddresses.configured());
        names.add(node.serverName());
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : names) {
            boolean self = name.equalsIgnoreCase(node.serverName());
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", name);
            s.put("self", self);
            s.put("mailboxes", counts.getOrDefault(name, 0L));
            if (self) {
                s.put("roles", node.roles().stream().map(NodeConfig.Role::label).sorted().toList());
                s.put("status", "up");
                if (node.has(NodeConfig.Role.BACKEND)) {
                    s.put("partitions", partitions(node));
                }
            } else {
                BackendAddresses.Address a = BackendAddresses.of(name);
                s.put("imap", a.host() + ":" + a.imapPort());
                s.put("status", reachable(a.host(), a.imapPort()) ? "up" : "down");
            }
            out.add(s);
        }
        return out;
    }

    /** This backend's partitions with their room: {@code name, path, freeBytes, totalBytes} (or {@code error}). */
    static List<Map<String, Object>> partitions(NodeConfig node) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Partitions.Space space : new Partitions(node.dataDir()).spaces()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", space.name());
            p.put("path", space.path().toString());
            if (space.error() == null) {
                p.put("freeBytes", space.freeBytes());
                p.put("totalBytes", space.totalBytes());
            } else {
                p.put("error", space.error());
            }
            out.add(p);
        }
        return out;
    }

    private static boolean reachable(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), PROBE_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
