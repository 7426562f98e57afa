package io.breakwater.guard;

import static io.breakwater.testing.ConfigFailures.configException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.breakwater.testing.TestServer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

class GuardConfigTest {

    @Test
    void filterNamedByClassIsInitialisedWithEveryInitParamButTheGuardsAndDestroyedWithIt() throws Exception {
        Recorder.reset();
        GuardFixture fixture = GuardFixture.start(Map.of("filter", Recorder.class.getName(), "realm", "acme",
                "tokenHeader", "X-Token"), new GuardedFilter());
        try {
            assertEquals(200, fixture.get("/app/x").statusCode());

            assertEquals(1, Recorder.INITS.get());
            assertEquals(GuardFixture.NAME, Recorder.filterName);
            Map<String, String> expected = new TreeMap<>(Map.of("realm", "acme", "tokenHeader", "X-Token",
                    "(getInitParameter guardTimeout)", "null"));
            assertEquals(expected, Recorder.initParams);
            assertEquals(1, Recorder.CALLS.get());
        } finally {
            fixture.close();
        }
        assertEquals(1, Recorder.DESTROYS.get());
    }

    @Test
    void guardNamedAsOneOfTheSuitesFiltersStopsTheDeploymentBeforeSharingItsFigures() {
        ScriptedFilter guarded = new ScriptedFilter();
        Exception e = assertThrows(Exception.class, () -> TestServer.start(context -> {
            FilterHolder holder = new FilterHolder(new GuardedFilter(guarded));
            holder.setName("timeout");
            context.addFilter(holder, "/app/*", EnumSet.of(DispatcherType.REQUEST));
        }).close());

        assertEquals("filter-name must be a name other than those of Breakwater's own filters' figures (circuitBreaker,"
                + " concurrencyLimit, exceptionHandling, metrics, timeout), but was \"timeout\"",
                configException(e).getMessage());
        assertEquals(0, guarded.inits.get(), "the guarded filter is not started");
    }

    @Test
    void skipWithoutOptionalStopsTheDeployment() {
        Exception e = assertThrows(Exception.class,
                () -> GuardFixture.start(Map.of("onOpen", "skip")).close());

        assertEquals("onOpen must be fail unless optional is true, but was \"skip\"", configException(e).getMessage());
    }

    @Test
    void unknownOnOpenStopsTheDeployment() {
        Exception e = assertThrows(Exception.class,
                () -> GuardFixture.start(Map.of("onOpen", "ignore")).close());

        assertEquals("onOpen must be one of fail, skip, but was \"ignore\"", configException(e).getMessage());
    }

    @Test
    void badGuardTimeoutStopsTheDeployment() {
        Exception e = assertThrows(Exception.class,
                () -> GuardFixture.start(Map.of("guardTimeout", "0s")).close());

        assertEquals("guardTimeout must be a duration between 1ms and 1h, or off, but was \"0s\"",
                configException(e).getMessage());
    }

    @Test
    void missingFilterClassStopsTheDeployment() {
        Exception e = assertThrows(Exception.class, () -> GuardFixture.start(Map.of(), new GuardedFilter()).close());

        assertEquals("filter must be set to the name of a class that implements jakarta.servlet.Filter, but was not"
                + " set", configException(e).getMessage());
    }

    @Test
    void classThatIsNoFilterStopsTheDeployment() {
        Exception e = assertThrows(Exception.class,
                () -> GuardFixture.start(Map.of("filter", "java.lang.String"), new GuardedFilter()).close());

        assertEquals("filter must be the name of a class that implements jakarta.servlet.Filter, but was"
                + " \"java.lang.String\"", configException(e).getMessage());
    }

    @Test
    void classNotFoundStopsTheDeployment() {
        Exception e = assertThrows(Exception.class,
                () -> GuardFixture.start(Map.of("filter", "com.acme.AuthFilter"), new GuardedFilter()).close());

        assertEquals("filter must be the name of a class that implements jakarta.servlet.Filter, but was"
                + " \"com.acme.AuthFilter\"", configException(e).getMessage());
    }

    /** A filter that records how the guard initialised it, in statics since the guard makes it from its name. */
    public static final class Recorder implements Filter {
        static final AtomicInteger INITS = new AtomicInteger();
        static final AtomicInteger CALLS = new AtomicInteger();
        static final AtomicInteger DESTROYS = new AtomicInteger();
        static volatile String filterName;
        static volatile Map<String, String> initParams;

        static void reset() {
            INITS.set(0);
            CALLS.set(0);
            DESTROYS.set(0);
        }

        @Override
        public void init(FilterConfig config) {
            ScriptedFilter scripted = new ScriptedFilter();
            scripted.init(config);
            filterName = scripted.filterName;
            initParams = scripted.initParams;
            INITS.incrementAndGet();
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            CALLS.incrementAndGet();
            chain.doFilter(request, response);
        }

        @Override
        public void destroy() {
            DESTROYS.incrementAndGet();
        }
    }
}
