package io.breakwater.sample.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample's JMX connector, reached by a real JMX client over RMI on loopback. */
class JmxConnectorTest {
    private static final ObjectName RUNTIME = runtime();

    @TempDir
    Path dir;

    private static ObjectName runtime() {
        try {
            return new ObjectName("java.lang:type=Runtime");
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        }
    }

    private static JMXConnector connect(int port, String user, String password) throws IOException {
        Map<String, Object> credentials = user == null ? Map.of()
                : Map.of(JMXConnector.CREDENTIALS, new String[] {user, password});
        return JMXConnectorFactory.connect(JmxConnector.url(port), credentials);
    }

    private Path passwordFile(String line) throws IOException {
        Path file = dir.resolve("jmx.password");
        Files.writeString(file, line + "\n");
        // the JDK's own agent insists on a file only its owner can read; so should an operator
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void withoutAPasswordFileAnyLocalClientConnects() throws Exception {
        int port = freePort();
        try (JmxConnector connector = JmxConnector.start(port, null);
                JMXConnector client = connect(port, null, null)) {
            assertEquals(JmxConnector.url(port).getURLPath(), connector.address().getURLPath());
            assertEquals(ProcessHandle.current().pid(),
                    client.getMBeanServerConnection().getAttribute(RUNTIME, "Pid"));
        }
    }

    @Test
    void withAPasswordFileOnlyTheRightPasswordConnects() throws Exception {
        int port = freePort();
        try (JmxConnector connector = JmxConnector.start(port, passwordFile("operator s3cret-Pass"))) {
            assertEquals(JmxConnector.url(port).getURLPath(), connector.address().getURLPath());
            assertThrows(SecurityException.class, () -> connect(port, null, null).close());
            assertThrows(SecurityException.class, () -> connect(port, "operator", "wrong").close());
            assertThrows(SecurityException.class, () -> connect(port, "intruder", "s3cret-Pass").close());
            try (JMXConnector client = connect(port, "operator", "s3cret-Pass")) {
                assertEquals(ProcessHandle.current().pid(),
                        client.getMBeanServerConnection().getAttribute(RUNTIME, "Pid"));
            }
        }
    }
}
