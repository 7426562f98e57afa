package io.breakwater.proxy.internal;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;

/**
 * The handler the container switches a client's connection to after the proxy's 101: it hands the connection to its
 * {@link Tunnel}. The container makes it (a public class with a public constructor, for the container's use only);
 * the proxy gives it its tunnel before the 101 is sent. Thread-safe.
 */
public final class TunnelUpgrade implements HttpUpgradeHandler {
    private volatile Tunnel tunnel;
    private volatile ServletRequest request;

    public TunnelUpgrade() {
        // made by the container
    }

    void tunnel(Tunnel relay, ServletRequest upgraded) {
        this.tunnel = relay;
        this.request = upgraded;
    }

    @Override
    public void init(WebConnection connection) {
        TunnelEndPoints.keepOpen(request);
        tunnel.start(connection);
    }

    @Override
    public void destroy() {
        Tunnel relay = tunnel;
        if (relay != null) {
            relay.close();
        }
    }
}
