package io.breakwater.core.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.testing.TestServer;
import io.breakwater.timeout.TimeoutFilter;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The wrappers' shortcut for Jetty's lookup of its own request is the container's own answer, and Jetty still finds
 * its request under them, in a real Jetty.
 */
class ContainerLookupsTest {

    /** Answers what the container and the wrapped request say about Jetty's lookup, and how deep the wrapping is. */
    private static final class Probe extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            int wrappers = 0;
            ServletRequest container = request;
            while (container instanceof ServletRequestWrapper wrapper) {
                container = wrapper.getRequest();
                wrappers++;
            }
            String line = "wrappers=" + wrappers
                    + " container=" + container.getAttribute(ContainerLookups.JETTY_SERVLET_CHANNEL)
                    + " wrapped=" + request.getAttribute(ContainerLookups.JETTY_SERVLET_CHANNEL);
            if (request.getParameter("async") == null) {
                response.getWriter().print(line);
                return;
            }
            // Jetty finds its request under the wrappers again for the cycle and its completion
            AsyncContext async = request.startAsync();
            async.start(() -> {
                try {
                    async.getResponse().getWriter().print(line + " async");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } finally {
                    async.complete();
                }
            });
        }
    }

    private static TestServer server() throws Exception {
        return TestServer.start(context -> {
            for (Class<? extends Filter> filter : List.of(ExceptionHandlingFilter.class, TimeoutFilter.class)) {
                FilterHolder holder = new FilterHolder(filter);
                holder.setAsyncSupported(true);
                context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            }
            ServletHolder probe = new ServletHolder(new Probe());
            probe.setAsyncSupported(true);
            context.addServlet(probe, "/probe");
        });
    }

    @ParameterizedTest
    @CsvSource({"/probe, ''", "/probe?async, ' async'"})
    void jettyKeepsNoSuchAttributeSoTheWrappersAnswerAsItDoesAndTheRequestCompletes(String path, String suffix)
            throws Exception {
        try (TestServer server = server()) {
            HttpResponse<String> answer = server.get(path);

            assertEquals(200, answer.statusCode());
            // a Jetty that kept its channel in the request's attributes would answer it here: the wrappers'
            // shortcut would then hide it, and this test says so
            assertEquals("wrappers=2 container=null wrapped=null" + suffix, answer.body());
        }
    }
}
