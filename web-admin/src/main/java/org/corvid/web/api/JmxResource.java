package org.corvid.web.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * {@code GET /api/jmx}: every MBean of the domain {@code org.corvid} on this node with its attributes (the
 * protocol listeners, moves, MUPDATE), for administrators without a JMX client. The same MBeans are reachable
 * through WildFly's JMX remoting.
 */
@Path("jmx")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class JmxResource {
    @GET
    public Map<String, Map<String, Object>> mbeans() throws JMException {
        Map<String, Map<String, Object>> all = new TreeMap<>();
        values().forEach((name, values) -> all.put(name.toString(), values));
        return all;
    }

    /** Every {@code org.corvid} MBean's attributes by name, arrays as lists, in name order. */
    static Map<ObjectName, Map<String, Object>> values() throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<ObjectName, Map<String, Object>> all = new TreeMap<>();
        for (ObjectName name : server.queryNames(new ObjectName("org.corvid:*"), null)) {
            String[] attributes = Arrays.stream(server.getMBeanInfo(name).getAttributes()).map(MBeanAttributeInfo::getName)
                    .toArray(String[]::new);
            Map<String, Object> values = new LinkedHashMap<>();
            for (Attribute a : server.getAttributes(name, attributes).asList()) {
                Object v = a.getValue();
                values.put(a.getName(), v instanceof Object[] array ? Arrays.asList(array) : v);
            }
            all.put(name, values);
        }
        return all;
    }
}
