package org.corvid.web.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * {@code GET /api/metrics}: the numeric attributes of this node's {@code org.corvid} MBeans in the Prometheus
 * text format, for a scraper with HTTP Basic credentials of a {@code corvid-admin}. A metric is named
 * {@code corvid_<type>_<attribute>} in snake case, labelled with the MBean's other keys:
 * {@code corvid_traffic_commands_per_second{protocol="imap",role="frontend"} 12.5}.
 */
@Path("metrics")
@RequestScoped
public class MetricsResource {
    @GET
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String metrics() throws JMException {
        Map<String, StringBuilder> families = new TreeMap<>();
        for (Map.Entry<ObjectName, Map<String, Object>> mbean : JmxResource.values().entrySet()) {
            ObjectName name = mbean.getKey();
            String prefix = "corvid_" + snake(name.getKeyProperty("type")) + "_";
            StringBuilder labels = new StringBuilder();
            new TreeMap<>(name.getKeyPropertyList()).forEach((k, v) -> {
                if (!k.equals("type")) {
                    labels.append(labels.length() == 0 ? "" : ",").append(k).append("=\"").append(v.replace("\\", "\\\\")
                            .replace("\"", "\\\"")).append('"');
                }
            });
            mbean.getValue().forEach((attribute, value) -> {
                Double number = value instanceof Number n ? Double.valueOf(n.doubleValue())
                        : value instanceof Boolean b ? Double.valueOf(b ? 1 : 0) : null;
                if (number != null) {
                    families.computeIfAbsent(prefix + snake(attribute), f -> new StringBuilder("# TYPE " + f + " gauge\n"))
                            .append(prefix).append(snake(attribute)).append(labels.length() == 0 ? "" : "{" + labels + "}")
                            .append(' ').append(format(number)).append('\n');
                }
            });
        }
        StringBuilder out = new StringBuilder();
        families.values().forEach(out::append);
        return out.toString();
    }

    /** {@code CommandsPerSecond} → {@code commands_per_second}, {@code LatencyP99Millis} → {@code latency_p99_millis}. */
    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static String format(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
