package io.breakwater.proxy.internal;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import org.eclipse.jetty.ee10.servlet.ServletApiRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/**
 * On Jetty, an upgraded connection keeps its connector's idle timeout (30 s by default), which would cut a quiet
 * tunnel before {@code tunnelIdleTimeout}: the tunnel's own timer takes over. Tomcat lifts its timeouts from an
 * upgraded connection itself. Stateless.
 */
final class TunnelEndPoints {
    private static final boolean JETTY = isPresent("org.eclipse.jetty.ee10.servlet.ServletContextRequest");

    private TunnelEndPoints() {
    }

    static void leaveIdleToTunnel(ServletRequest request) {
        if (JETTY) {
            OnJetty.noIdleTimeout(request);
        }
    }

    private static boolean isPresent(String className) {
        try {
            Class.forName(className, false, TunnelEndPoints.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only where Jetty's classes are, which may also be in a Tomcat's class path. */
    private static final class OnJetty {
        static void noIdleTimeout(ServletRequest request) {
            ServletRequest unwrapped = request;
            while (unwrapped instanceof ServletRequestWrapper wrapper) {
                unwrapped = wrapper.getRequest();
            }
            if (unwrapped instanceof ServletApiRequest jetty) {
                ServletContextRequest.getServletContextRequest(jetty).getConnectionMetaData().getConnection()
                        .getEndPoint().setIdleTimeout(0);
            }
        }
    }
}
