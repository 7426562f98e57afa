package io.breakwater.bench;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlets.QoSFilter;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * One contender of {@code bench/run} in its own JVM, on 127.0.0.1 only:
 * {@code java -cp breakwater-bench.jar io.breakwater.bench.ContenderServer <contender> <port> [backend URLs]}.
 * Contenders: every {@link FilterContender} label (the hello servlet behind that chain), {@code backend} (the bare
 * hello servlet on every path), {@code wsBackend} (the same, and a WebSocket echo at {@link EchoSocket#PATH}),
 * {@code jettyProxy} (Jetty's plain ProxyServlet, round-robin),
 * {@code jettyProxyHandler} (Jetty's core ProxyHandler as the server's handler, no servlet context, round-robin),
 * {@code smileyProxy} (MITRE's HTTP-Proxy-Servlet on Apache HttpClient 4.5, round-robin) and
 * {@code breakwaterProxy} (BalancingProxyServlet behind the full chain, with the sample's proxy settings), and the
 * overload scenario's {@code overloadBare}, {@code overloadQos} and {@code overloadLimit} ({@link FixedCapacityServlet}
 * alone, behind Jetty's QoSFilter, behind ConcurrencyLimitFilter). Prints
 * {@code ready <port>} once serving, or {@code absent: <what>} and exits with status 3 when the contender's classes
 * are not on the class path. With {@code -Dbench.allocationPort=N} it also reports the bytes it has allocated
 * ({@link AllocationMeter}).
 */
public final class ContenderServer {
    static final int ABSENT = 3;
    private static final int USAGE = 2;
    /** Matches the peers' failover settings (nginx proxy_read_timeout, HAProxy timeout server). */
    private static final String PLAIN_PROXY_TIMEOUT_MS = "2000";
    /** The Apache HttpClient pool of the smileyProxy contender: as many as the heaviest load's connections. */
    private static final String SMILEY_MAX_CONNECTIONS = "256";
    private static final String PROXY_HANDLER = "org.eclipse.jetty.proxy.ProxyHandler";
    private static final String SMILEY_PROXY = "org.mitre.dsmiley.httpproxy.ProxyServlet";
    /** QoSFilter's fixed limit in the overload scenario: the app's own capacity, the best a fixed number can do. */
    private static final int CAPACITY_LIMIT = FixedCapacityServlet.CAPACITY;

    private ContenderServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ContenderServer <contender> <port> [backend URLs]");
            System.exit(USAGE);
        }
        String contender = args[0];
        int port = Integer.parseInt(args[1]);
        String backends = args.length > 2 ? args[2] : "";

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        Optional<String> absent;
        if (contender.equals("jettyProxyHandler")) {
            // the core handler in place of the servlet context: no servlet layer at all
            absent = present(PROXY_HANDLER);
            if (absent.isEmpty()) {
                server.setHandler(new RoundRobinProxyHandler(backends, Long.parseLong(PLAIN_PROXY_TIMEOUT_MS)));
            }
        } else {
            absent = configure(context, contender, backends);
            server.setHandler(contender.equals("wsBackend") ? EchoSocket.upgrading(server, context) : context);
        }
        if (absent.isPresent()) {
            System.out.println("absent: " + absent.get());
            System.exit(ABSENT);
        }
        AllocationMeter.startIfAsked();
        server.start();
        if (!contender.equals("jettyProxyHandler") && !context.isAvailable()) {
            System.err.println("the " + contender + " context failed to start");
            server.stop();
            System.exit(1);
        }
        System.out.println("runs " + description(contender));
        System.out.println("ready " + connector.getLocalPort());
        server.join();
    }

    /** Empty when {@code className} is on the class path, else its name: the classes a contender needs. */
    private static Optional<String> present(String className) {
        return BreakwaterClasses.load(className, Object.class).isPresent() ? Optional.empty() : Optional.of(className);
    }

    /** The sample's hedge delay, unless {@code -Dbench.hedgeAfter} says otherwise ({@code off}: no hedging). */
    private static String hedgeAfter() {
        return System.getProperty("bench.hedgeAfter", "200ms");
    }

    /**
     * The filters in front of the breakwaterProxy contender: the full chain by default;
     * {@code -Dbench.proxyFilters=none} for the servlet alone, or filter contenders' labels, comma-separated
     * ({@code exceptionHandling,timeout}), to measure what each filter costs on a proxied (asynchronous) request.
     */
    private static List<FilterContender> proxyFilters() {
        String named = System.getProperty("bench.proxyFilters");
        if (named == null) {
            return List.of(FilterContender.CHAIN);
        }
        if (named.equals("none")) {
            return List.of();
        }
        List<FilterContender> filters = new ArrayList<>();
        for (String label : named.split(",")) {
            filters.add(FilterContender.byLabel(label.trim()).orElseThrow(() -> new IllegalArgumentException(
                    "bench.proxyFilters: no filter contender " + label + "; give none, or labels such as timeout")));
        }
        return filters;
    }

    private static String describe(List<FilterContender> filters) {
        return filters.isEmpty() ? ", no filter"
                : " behind " + String.join(" + ", filters.stream().map(FilterContender::description).toList());
    }

    /** What the contender runs, for the harness's table. */
    private static String description(String contender) {
        return switch (contender) {
            case "backend" -> "hello servlet";
            case "wsBackend" -> "WebSocket echo at " + EchoSocket.PATH + ", hello servlet elsewhere";
            case "overloadBare" -> "fixed-capacity servlet, no limiter";
            case "overloadQos" -> "fixed-capacity servlet behind Jetty's QoSFilter (maxRequests=" + CAPACITY_LIMIT
                    + ", other parameters default)";
            case "overloadLimit" -> "fixed-capacity servlet behind ExceptionHandlingFilter + ConcurrencyLimitFilter"
                    + " (defaults)";
            case "jettyProxy" -> "Jetty ProxyServlet, round-robin";
            case "jettyProxyHandler" -> "Jetty core ProxyHandler.Reverse as the server's handler (no servlet), "
                    + "round-robin, 2s per request";
            case "smileyProxy" -> "MITRE HTTP-Proxy-Servlet 2.0 on Apache HttpClient 4.5 (blocking: one server "
                    + "thread per request), round-robin, 2s connect and read timeouts, " + SMILEY_MAX_CONNECTIONS
                    + " pooled connections";
            case "breakwaterProxy" -> "BalancingProxyServlet (sample settings: least-connections, 2s per try, "
                    + "hedge after " + hedgeAfter() + ", checks every 2s"
                    + (System.getProperty("bench.selectors") == null ? ""
                            : ", " + System.getProperty("bench.selectors") + " selectors") + ")"
                    + describe(proxyFilters());
            default -> FilterContender.byLabel(contender).map(FilterContender::description).orElse(contender);
        };
    }

    /**
     * Fills the context for the contender; says what is missing when it cannot. QoSFilter is deprecated in Jetty 12
     * for a server-level handler, but it is the fixed limit a WAR can bring along, which is what it stands for here.
     */
    @SuppressWarnings("deprecation")
    private static Optional<String> configure(ServletContextHandler context, String contender, String backends) {
        switch (contender) {
            // the breakwaterProxy contender checks /health: the hello servlet answers it
            case "backend", "wsBackend" -> context.addServlet(HelloServlet.class, "/*");
            case "overloadBare" -> context.addServlet(FixedCapacityServlet.class, "/*");
            case "overloadQos" -> {
                FilterHolder qos = new FilterHolder(QoSFilter.class);
                qos.setAsyncSupported(true);
                qos.setInitParameter("maxRequests", Integer.toString(CAPACITY_LIMIT));
                context.addFilter(qos, "/*", EnumSet.of(DispatcherType.REQUEST));
                context.addServlet(FixedCapacityServlet.class, "/*");
            }
            case "overloadLimit" -> {
                if (FilterContender.CONCURRENCY_LIMIT.filters().isEmpty()) {
                    return Optional.of(FilterContender.CONCURRENCY_LIMIT.missing());
                }
                FilterContender.CONCURRENCY_LIMIT.install(context);
                context.addServlet(FixedCapacityServlet.class, "/*");
            }
            case "jettyProxy" -> {
                ServletHolder proxy = context.addServlet(RoundRobinProxyServlet.class, "/*");
                proxy.setInitParameter("backends", backends);
                proxy.setInitParameter("timeout", PLAIN_PROXY_TIMEOUT_MS);
            }
            case "smileyProxy" -> {
                Optional<String> absent = present(SMILEY_PROXY);
                if (absent.isPresent()) {
                    return absent;
                }
                ServletHolder proxy = context.addServlet(RoundRobinSmileyProxyServlet.class, "/*");
                proxy.setInitParameter("backends", backends);
                proxy.setInitParameter("http.maxConnections", SMILEY_MAX_CONNECTIONS);
                // its names: http.socket.timeout is the connect timeout, http.read.timeout the socket's read timeout
                proxy.setInitParameter("http.socket.timeout", PLAIN_PROXY_TIMEOUT_MS);
                proxy.setInitParameter("http.read.timeout", PLAIN_PROXY_TIMEOUT_MS);
                proxy.setInitParameter("http.connectionrequest.timeout", PLAIN_PROXY_TIMEOUT_MS);
            }
            case "breakwaterProxy" -> {
                Optional<Class<? extends Servlet>> proxy =
                        BreakwaterClasses.load(BreakwaterClasses.BALANCING_PROXY, Servlet.class);
                if (proxy.isEmpty()) {
                    return Optional.of(BreakwaterClasses.BALANCING_PROXY);
                }
                for (FilterContender filters : proxyFilters()) {
                    if (filters.filters().isEmpty()) {
                        return Optional.of(filters.missing());
                    }
                    filters.install(context);
                }
                ServletHolder holder = context.addServlet(proxy.get(), "/*");
                holder.setInitParameter("backends", backends);
                // the sample's settings (sample-webapp's web.xml); the bench backends answer every path, /health too
                holder.setInitParameter("strategy", "least-connections");
                holder.setInitParameter("tryTimeout", "2s");
                // -Dbench.hedgeAfter=off measures what arming a hedge timer per request costs
                holder.setInitParameter("hedgeAfter", hedgeAfter());
                holder.setInitParameter("healthCheckPath", "/health");
                holder.setInitParameter("healthCheckInterval", "2s");
                holder.setInitParameter("healthCheckTimeout", "1s");
                holder.setInitParameter("unhealthyAfter", "3");
                holder.setInitParameter("slowStart", "10s");
                // -Dbench.selectors=N: the proxy client's network threads, which pass the answers on (default: one
                // per two cores); at 256 connections on two cores one thread may cap what both cores could do
                String selectors = System.getProperty("bench.selectors");
                if (selectors != null) {
                    holder.setInitParameter("selectors", selectors);
                }
            }
            default -> {
                FilterContender filters = FilterContender.byLabel(contender)
                        .orElseThrow(() -> new IllegalArgumentException("unknown contender " + contender));
                if (filters.filters().isEmpty()) {
                    return Optional.of(filters.missing());
                }
                filters.install(context);
                context.addServlet(HelloServlet.class, "/hello");
            }
        }
        return Optional.empty();
    }
}
