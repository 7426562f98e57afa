package io.breakwater.circuit;

import static io.breakwater.circuit.CircuitBreakerFixture.FAILING;
import static io.breakwater.circuit.CircuitBreakerFixture.assertCircuitOpen;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.breakwater.core.breaker.internal.CircuitBreakerControlMBean;
import io.breakwater.core.metric.internal.Jmx;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.util.Map;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The breaker's MBean, driven over a real JMX connection as an operator's console would. */
class CircuitBreakerControlTest {
    private static Registry rmiRegistry;
    private static JMXConnectorServer connectorServer;

    @BeforeAll
    static void startJmxConnector() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        System.setProperty("java.rmi.server.hostname", "127.0.0.1");
        rmiRegistry = LocateRegistry.createRegistry(port);
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(url, null,
                ManagementFactory.getPlatformMBeanServer());
        connectorServer.start();
    }

    @AfterAll
    static void stopJmxConnector() throws Exception {
        connectorServer.stop();
        UnicastRemoteObject.unexportObject(rmiRegistry, true);
    }

    @Test
    void forceOpenAndResetOverJmxTakeEffectOnTheNextRequest() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of());
                JMXConnector connector = JMXConnectorFactory.connect(connectorServer.getAddress())) {
            fixture.failing.status.set(200);
            assertEquals(200, fixture.get("/fail/x").statusCode());
            CircuitBreakerControlMBean control = control(connector, fixture);

            control.forceOpen();

            assertCircuitOpen(fixture.get("/fail/x"), "10");
            assertEquals(1, fixture.failing.calls.get());
            assertEquals("FORCED_OPEN", control.getState());
            assertEquals(1L, control.getRejectedCalls());

            control.reset();

            assertEquals(200, fixture.get("/fail/x").statusCode());
            assertEquals(2, fixture.failing.calls.get());
            assertEquals("CLOSED", control.getState());
        }
    }

    @Test
    void disableAndCloseOverJmxLetAnOpenRouteThrough() throws Exception {
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of());
                JMXConnector connector = JMXConnectorFactory.connect(connectorServer.getAddress())) {
            fixture.open();
            CircuitBreakerControlMBean control = control(connector, fixture);
            assertEquals("OPEN", control.getState());
            assertEquals(100.0f, control.getFailureRate());
            assertEquals(0.0f, control.getSlowCallRate());

            control.disable();

            for (int i = 0; i < 10; i++) {
                assertEquals(500, fixture.get("/fail/x").statusCode());
            }
            assertEquals("METRICS_ONLY", control.getState());
            assertEquals(100.0f, control.getFailureRate());

            control.close();
            control.close();

            fixture.failing.status.set(200);
            assertEquals(200, fixture.get("/fail/x").statusCode());
            assertEquals("CLOSED", control.getState());
            assertEquals(4 + 10 + 1, fixture.failing.calls.get());
        }
    }

    @Test
    void theMBeanIsGoneOnceTheAppStops() throws Exception {
        ObjectName name;
        try (CircuitBreakerFixture fixture = CircuitBreakerFixture.start(Map.of())) {
            fixture.get("/fail/x");
            name = Jmx.name(fixture.server.context().getServletContext(), "CircuitBreaker", FAILING);
            assertEquals(true, ManagementFactory.getPlatformMBeanServer().isRegistered(name));
        }
        assertEquals(false, ManagementFactory.getPlatformMBeanServer().isRegistered(name));
    }

    private static CircuitBreakerControlMBean control(JMXConnector connector, CircuitBreakerFixture fixture)
            throws Exception {
        MBeanServerConnection connection = connector.getMBeanServerConnection();
        ObjectName name = Jmx.name(fixture.server.context().getServletContext(), "CircuitBreaker", FAILING);
        return JMX.newMBeanProxy(connection, name, CircuitBreakerControlMBean.class);
    }
}
