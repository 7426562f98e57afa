package io.breakwater.bench;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
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
 * The filter chain's own per-request cost: {@code GET /hello} through each contender's filters into the hello
 * servlet, called directly with stub request/response objects. The filters and the servlet are real instances,
 * initialised by a real (connector-less) Jetty context, so they see a real FilterConfig and ServletContext; only
 * the per-request objects are stubs, because a real container's HTTP parsing and writing (several microseconds, see
 * {@link ContainerChainBenchmark}) would bury differences of tens of nanoseconds in noise.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class FilterChainBenchmark {
    @Param({"bare", "instrumented", "exceptionHandling", "timeout", "circuitBreaker", "metrics", "chain"})
    public String contender;

    private Server server;
    private Filter[] filters;
    private Servlet servlet;
    private StubRequest request;
    private StubResponse response;

    @Setup(Level.Trial)
    public void start() throws Exception {
        FilterContender chain = FilterContender.byLabel(contender)
                .orElseThrow(() -> new IllegalArgumentException("unknown contender " + contender));
        server = new Server();
        ServletContextHandler context = new ServletContextHandler("/");
        server.setHandler(context);
        chain.install(context);
        ServletHolder hello = context.addServlet(HelloServlet.class, "/hello");
        hello.setInitOrder(0);
        server.start();
        filters = Arrays.stream(context.getServletHandler().getFilters()).map(FilterChainBenchmark::filterOf)
                .toArray(Filter[]::new);
        servlet = hello.getServlet();
        request = new StubRequest(context.getServletContext());
        response = new StubResponse();
        long written = request();
        if (response.getStatus() != 200 || written != HelloServlet.BODY.length) {
            throw new IllegalStateException(contender + " answered " + response.getStatus() + " with " + written
                    + " bytes instead of 200 with " + HelloServlet.BODY.length);
        }
    }

    private static Filter filterOf(FilterHolder holder) {
        return holder.getFilter();
    }

    @Benchmark
    public long request() throws IOException, ServletException {
        request.clear();
        response.clear();
        new ArrayChain(filters, servlet).doFilter(request, response);
        return response.written();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        server.stop();
    }

    /** Runs the filters in order, then the servlet: what the container's chain does, without its lookups. */
    static final class ArrayChain implements FilterChain {
        private final Filter[] filters;
        private final Servlet servlet;
        private int next;

        ArrayChain(Filter[] filters, Servlet servlet) {
            this.filters = filters;
            this.servlet = servlet;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response) throws IOException, ServletException {
            if (next < filters.length) {
                filters[next++].doFilter(request, response, this);
            } else {
                servlet.service(request, response);
            }
        }
    }
}
