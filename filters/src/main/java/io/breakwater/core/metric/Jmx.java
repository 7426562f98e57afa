package io.breakwater.core.metric;

import jakarta.servlet.ServletContext;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers Breakwater's control MBeans on the platform MBean server in domain {@code breakwater}, named
 * {@code breakwater:type=<type>,context=<context path or ROOT>,name=<quoted name>} so that two web apps never
 * collide, and unregisters them again. Stateless and thread-safe.
 */
public final class Jmx {
    private Jmx() {
    }

    /** The object name of one MBean of a web app. */
    public static ObjectName name(ServletContext context, String type, String name) {
        return name(context.getContextPath(), type, name);
    }

    /** The object name of one MBean of the web app at a context path ({@code ""} for the root). */
    public static ObjectName name(String path, String type, String name) {
        try {
            return new ObjectName(BreakwaterMetrics.JMX_DOMAIN + ":type=" + type + ",context="
                    + ObjectName.quote(path.isEmpty() ? "ROOT" : path) + ",name=" + ObjectName.quote(name));
        } catch (JMException e) {
            throw new IllegalArgumentException("not a valid MBean name: " + name, e);
        }
    }

    /** Registers an MBean, replacing a stale one of the same name left by a web app that did not stop cleanly. */
    public static ObjectName register(Object mbean, ObjectName name) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(mbean, name);
            return name;
        } catch (JMException e) {
            throw new IllegalStateException("could not register MBean " + name, e);
        }
    }

    /** Unregisters an MBean if it is there. */
    public static void unregister(ObjectName name) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException e) {
            throw new IllegalStateException("could not unregister MBean " + name, e);
        }
    }
}
