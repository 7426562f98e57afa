package io.breakwater.sample.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.SecuredRedirectHandler;

/**
 * The sample's connectors. The plain port speaks HTTP/1.1 and h2c: HTTP/2 by prior knowledge (the client opens with
 * HTTP/2's preface) or after an HTTP/1.1 {@code Upgrade: h2c}. The HTTPS port, when asked for, speaks h2 and
 * HTTP/1.1 over TLS 1.2 or 1.3, chosen by ALPN (HTTP/1.1 for a client that offers nothing). Both drain on a stop
 * ({@link DrainingConnector}) and send no {@code Server} header. With {@code --redirect-http} the plain port answers
 * every request with 308 to the same path on HTTPS. Thread-safe once the server has started.
 */
final class FrontDoor {
    private final HttpConfiguration http;
    private final DrainingConnector plain;
    /** {@code null} without HTTPS. */
    private final DrainingConnector secure;
    private final boolean redirect;

    private FrontDoor(HttpConfiguration http, DrainingConnector plain, DrainingConnector secure, boolean redirect) {
        this.http = http;
        this.plain = plain;
        this.secure = secure;
        this.redirect = redirect;
    }

    /**
     * Adds the connectors to the server; a bad keystore throws {@link IllegalArgumentException} with a one-line
     * message before anything opens.
     */
    static FrontDoor open(Server server, Options options) {
        TlsKeystore keys = options.httpsPort == Options.HTTPS_OFF ? null
                : TlsKeystore.open(options.tlsKeystore, options.tlsPasswordFile);
        HttpConfiguration http = new HttpConfiguration();
        // a version tells an attacker which flaws to try
        http.setSendServerVersion(false);
        DrainingConnector plain = new DrainingConnector(server, new HttpConnectionFactory(http),
                new HTTP2CServerConnectionFactory(http));
        plain.setPort(options.port);
        server.addConnector(plain);
        if (keys == null) {
            return new FrontDoor(http, plain, null, false);
        }
        HttpConfiguration https = new HttpConfiguration(http);
        // Jetty's defaults: the request is marked secure, and a Host that the certificate does not name is a 400
        https.addCustomizer(new SecureRequestCustomizer());
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(HttpVersion.HTTP_1_1.asString());
        // ALPN offers the protocols of the factories after it, in their order: h2 first
        DrainingConnector secure = new DrainingConnector(server,
                new SslConnectionFactory(keys.sslContextFactory(), alpn.getProtocol()), alpn,
                new HTTP2ServerConnectionFactory(https), new HttpConnectionFactory(https));
        secure.setPort(options.httpsPort);
        server.addConnector(secure);
        http.setSecureScheme("https");
        return new FrontDoor(http, plain, secure, options.redirectHttp);
    }

    /** The server's handler: the app's, behind a redirect to HTTPS for plain requests when asked for. */
    Handler redirecting(Handler app) {
        return redirect ? new SecuredRedirectHandler(app, HttpStatus.PERMANENT_REDIRECT_308) : app;
    }

    /** Once the ports are bound: a redirect names the HTTPS port actually bound (the options may say 0). */
    void started() {
        if (secure != null) {
            http.setSecurePort(secure.getLocalPort());
        }
    }

    int port() {
        return plain.getLocalPort();
    }

    int httpsPort() {
        return secure == null ? -1 : secure.getLocalPort();
    }

    /** Connections open now on both ports, from the accept to the close (one per TCP connection). */
    int openConnections() {
        return plain.getConnectedEndPoints().size() + (secure == null ? 0 : secure.getConnectedEndPoints().size());
    }

    /** Stops accepting on both ports; completes when every connection of both has closed. */
    CompletableFuture<Void> stopAccepting() {
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        closed.add(plain.stopAccepting());
        if (secure != null) {
            closed.add(secure.stopAccepting());
        }
        return CompletableFuture.allOf(closed.toArray(new CompletableFuture<?>[0]));
    }
}
