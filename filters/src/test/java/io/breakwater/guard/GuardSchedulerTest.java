package io.breakwater.guard;

import static io.breakwater.guard.GuardFixture.assertAnswer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.breakwater.core.time.internal.TimeoutScheduler;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.testing.Await;
import io.breakwater.testing.TestServer;
import io.breakwater.testing.TestServlets;
import io.breakwater.timeout.TimeoutFilter;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The guards of one web app and its {@code TimeoutFilter} fire their deadlines on the app's one scheduler thread. */
@Timeout(60)
class GuardSchedulerTest {
    @Test
    void guardsAndTheTimeoutFilterOfOneAppShareOneDeadlineThreadStoppedWithTheApp() throws Exception {
        Set<String> before = schedulerThreads();
        GuardedFilter auth = new GuardedFilter(new ScriptedFilter());
        GuardedFilter audit = new GuardedFilter(new ScriptedFilter());
        GuardedFilter untimed = new GuardedFilter(new ScriptedFilter());
        TimeoutScheduler shared;
        try (TestServer server = TestServer.start(context -> {
            context.addFilter(new FilterHolder(new ExceptionHandlingFilter()), "/*",
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
            FilterHolder timeout = new FilterHolder(new TimeoutFilter());
            timeout.setInitParameter("timeout", "30s");
            context.addFilter(timeout, "/*", EnumSet.of(DispatcherType.REQUEST));
            guard(context, auth, "auth", "200ms");
            guard(context, audit, "audit", "200ms");
            guard(context, untimed, "untimed", "off");
            TestServlets.route(context, "/app/*", (request, response) -> response.getWriter().write("ok"));
        })) {
            shared = auth.scheduler();
            assertNotNull(shared);
            assertSame(shared, audit.scheduler());
            assertNull(untimed.scheduler(), "a guard with no deadline holds no scheduler");
            Set<String> started = schedulerThreads();
            started.removeAll(before);
            assertEquals(Set.of(shared.threadName()), started, "one deadline thread for the app's three filters");

            assertAnswer(server.get("/app/x?before=hang"), 503, "TIMEOUT");
            assertEquals(200, server.get("/app/x").statusCode());
        }
        String name = shared.threadName();
        Await.until("the app's deadline thread to end with it", Duration.ofSeconds(30),
                () -> !schedulerThreads().contains(name));
    }

    private static void guard(ServletContextHandler context, GuardedFilter guard, String name, String timeout) {
        FilterHolder holder = new FilterHolder(guard);
        holder.setName(name);
        holder.setInitParameters(Map.of("guardTimeout", timeout));
        context.addFilter(holder, "/app/*", EnumSet.of(DispatcherType.REQUEST));
    }

    private static Set<String> schedulerThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith("breakwater-timeout-")).collect(Collectors.toSet());
    }
}
