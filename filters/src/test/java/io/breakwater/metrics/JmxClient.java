package io.breakwater.metrics;

import io.breakwater.core.metric.Jmx;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A test's view of the JVM through a real JMX connector over RMI on loopback, as an operator's console sees the
 * platform MBean server. Close it to stop both.
 */
final class JmxClient implements AutoCloseable {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(5);

    private final Registry registry;
    private final JMXConnectorServer server;
    private final JMXConnector client;
    private final MBeanServerConnection connection;

    private JmxClient(Registry registry, JMXConnectorServer server, JMXConnector client) throws IOException {
        this.registry = registry;
        this.server = server;
        this.client = client;
        this.connection = client.getMBeanServerConnection();
    }

    static JmxClient open() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        Registry registry = LocateRegistry.createRegistry(port);
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(url, null,
                ManagementFactory.getPlatformMBeanServer());
        server.start();
        return new JmxClient(registry, server, JMXConnectorFactory.connect(server.getAddress()));
    }

    MBeanServerConnection connection() {
        return connection;
    }

    /** A metric's MBean name in the root web app. */
    static ObjectName metric(String metricName) {
        return metric("", metricName);
    }

    static ObjectName metric(String contextPath, String metricName) {
        int dot = metricName.indexOf('.');
        return Jmx.name(contextPath, dot > 0 ? metricName.substring(0, dot) : "metric", metricName);
    }

    Object attribute(ObjectName name, String attribute) throws IOException, JMException {
        return connection.getAttribute(name, attribute);
    }

    /** Waits until the attribute has the expected value: responses reach clients before the last counts move. */
    Object await(ObjectName name, String attribute, Object expected) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Object actual = null;
        while (System.nanoTime() < deadline) {
            if (connection.isRegistered(name)) {
                actual = connection.getAttribute(name, attribute);
                if (Objects.equals(expected, actual)) {
                    return actual;
                }
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
        return actual;
    }

    int count(String pattern) throws Exception {
        return connection.queryNames(new ObjectName(pattern), null).size();
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            try {
                server.stop();
            } finally {
                UnicastRemoteObject.unexportObject(registry, true);
            }
        }
    }
}
