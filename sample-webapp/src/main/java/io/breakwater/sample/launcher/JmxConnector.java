package io.breakwater.sample.launcher;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;

/**
 * The sample's JMX connector on the platform MBean server, where the web app's filters and proxy register their
 * MBeans (a web app never opens a port of its own: that is its launcher's call). Reachable from this machine only:
 * the RMI registry and the connector share one port on 127.0.0.1, so that {@code jconsole 127.0.0.1:<port>} works
 * and nothing else on the network can connect. With a password file, a client must also log in as one of its users
 * (the JDK's {@value #PASSWORD_FILE} semantics: lines of {@code user password}, every user read-write). Close it to
 * stop it. Thread-safe.
 */
final class JmxConnector implements AutoCloseable {
    private static final String RMI_HOSTNAME = "java.rmi.server.hostname";
    /** The JDK connector server's own attribute for file-based authentication. */
    static final String PASSWORD_FILE = "jmx.remote.x.password.file";

    private final Registry registry;
    private final JMXConnectorServer server;

    private JmxConnector(Registry registry, JMXConnectorServer server) {
        this.registry = registry;
        this.server = server;
    }

    /** The address a client connects to for a connector on this port. */
    static JMXServiceURL url(int port) {
        try {
            return new JMXServiceURL("service:jmx:rmi://127.0.0.1:" + port + "/jndi/rmi://127.0.0.1:" + port
                    + "/jmxrmi");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a valid port: " + port, e);
        }
    }

    /**
     * Opens the connector on 127.0.0.1 and the given port; with {@code passwordFile} not {@code null}, only for the
     * users it lists.
     */
    static JmxConnector start(int port, Path passwordFile) throws IOException {
        // the stubs that clients receive carry this host; left unset it is the machine's address, where
        // nothing listens
        if (System.getProperty(RMI_HOSTNAME) == null) {
            System.setProperty(RMI_HOSTNAME, "127.0.0.1");
        }
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        // one factory instance for both exports: RMI shares a listening socket only between equal factories
        RMIServerSocketFactory loopbackOnly = new LoopbackSockets(loopback);
        Registry registry = LocateRegistry.createRegistry(port, null, loopbackOnly);
        try {
            Map<String, Object> environment = new HashMap<>();
            environment.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, loopbackOnly);
            if (passwordFile != null) {
                environment.put(PASSWORD_FILE, passwordFile.toString());
            }
            JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(url(port), environment,
                    ManagementFactory.getPlatformMBeanServer());
            server.start();
            return new JmxConnector(registry, server);
        } catch (IOException | RuntimeException e) {
            unexport(registry);
            throw e;
        }
    }

    JMXServiceURL address() {
        return server.getAddress();
    }

    @Override
    public void close() throws IOException {
        try {
            server.stop();
        } finally {
            unexport(registry);
        }
    }

    private static void unexport(Registry registry) {
        try {
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (NoSuchObjectException e) {
            // already gone
        }
    }

    /** Server sockets bound to the loopback address. */
    private static final class LoopbackSockets implements RMIServerSocketFactory {
        private final InetAddress loopback;

        LoopbackSockets(InetAddress loopback) {
            this.loopback = loopback;
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 0, loopback);
        }
    }
}
