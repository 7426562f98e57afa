package io.breakwater.bench;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same chains inside a real Jetty, through its in-memory {@link LocalConnector}: HTTP parsing, dispatch and
 * response writing included, no sockets. Slower and noisier than {@link FilterChainBenchmark}, but it measures a
 * filter that needs the whole container (async, dispatch types) and shows the chain's share of a real request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ContainerChainBenchmark {
    private static final String REQUEST = "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

    @Param({"bare", "instrumented", "exceptionHandling", "timeout", "circuitBreaker", "metrics", "chain"})
    public String contender;

    private Server server;
    private LocalConnector connector;

    @Setup(Level.Trial)
    public void start() throws Exception {
        FilterContender chain = FilterContender.byLabel(contender)
                .orElseThrow(() -> new IllegalArgumentException("unknown contender " + contender));
        server = new Server();
        connector = new LocalConnector(server);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        server.setHandler(context);
        chain.install(context);
        context.addServlet(HelloServlet.class, "/hello");
        server.start();
        String answer = request();
        if (!answer.startsWith("HTTP/1.1 200 ")) {
            throw new IllegalStateException(contender + " answered " + answer);
        }
    }

    @Benchmark
    public String request() throws Exception {
        return connector.getResponse(REQUEST);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        server.stop();
    }
}
