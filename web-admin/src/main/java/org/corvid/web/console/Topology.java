package org.corvid.web.console;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;
import java.util.Map;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.web.api.MupdateResource;
import org.corvid.web.api.ServersResource;

/** The console's topology page: every node of the murder as this node sees it, and the MUPDATE side. */
@Named
@RequestScoped
public class Topology {
    @Inject
    private ServersResource servers;

    @Inject
    private MupdateResource mupdate;

    @EJB
    private NodeConfig node;

    private List<Map<String, Object>> list;

    public List<Map<String, Object>> getServers() {
        if (list == null) {
            list = servers.servers();
        }
        return list;
    }

    public Map<String, Object> getMupdate() {
        return mupdate.status();
    }

    public String getNode() {
        return node.serverName();
    }

    /** Bytes as GiB with one decimal. */
    public String gib(Object bytes) {
        return bytes instanceof Number n ? String.format(java.util.Locale.ROOT, "%.1f GiB", n.doubleValue() / (1L << 30)) : "";
    }

    /** Share of a partition in use, 0–100. */
    public long used(Map<String, Object> partition) {
        Object free = partition.get("freeBytes");
        Object total = partition.get("totalBytes");
        if (free instanceof Number f && total instanceof Number t && t.longValue() > 0) {
            return Math.round(100.0 * (t.longValue() - f.longValue()) / t.longValue());
        }
        return 0;
    }
}
