package io.breakwater.proxy.internal;

import org.eclipse.jetty.client.EarlyHintsProtocolHandler;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;

/**
 * Absorbs a backend's interim answers (102 Processing, 103 Early Hints, 104 and any other 1xx but 100 and 101), so
 * that the try goes on to the final answer with its timeout still running. Jetty's proxy clears its client's
 * protocol handlers (it passes answers on as they are), and without one an interim answer would end the try as if it
 * were the answer, leaving the real one unread and the client waiting. 100 is Jetty's proxy's own continue handler's;
 * 101 is never absorbed: it is a protocol switch the proxy did not ask for (see {@code BalancingProxyServlet}).
 * A 103's hints are dropped, not passed on (proxy-servlet/README.md says why). Stateless and thread-safe.
 */
public final class InterimAnswers extends EarlyHintsProtocolHandler {
    static final String NAME = "breakwater-interim";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean accept(Request request, Response response) {
        int status = response.getStatus();
        return status >= 102 && status < 200;
    }
}
