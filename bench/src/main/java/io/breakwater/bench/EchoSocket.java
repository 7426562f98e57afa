package io.breakwater.bench;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The {@code wsBackend} contender's WebSocket endpoint at {@code /echo}: sends each text message back to its sender.
 * One per session; Jetty delivers its messages one at a time.
 */
public final class EchoSocket implements Session.Listener.AutoDemanding {
    static final String PATH = "/echo";
    private Session session;

    /** {@code context} behind Jetty's WebSocket upgrade handler, which takes the upgrades to {@link #PATH}. */
    static Handler upgrading(Server server, Handler context) {
        WebSocketUpgradeHandler upgrades = WebSocketUpgradeHandler.from(server,
                container -> container.addMapping(PATH, (request, response, callback) -> new EchoSocket()));
        upgrades.setHandler(context);
        return upgrades;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        session = opened;
    }

    @Override
    public void onWebSocketText(String message) {
        session.sendText(message, Callback.NOOP);
    }
}
