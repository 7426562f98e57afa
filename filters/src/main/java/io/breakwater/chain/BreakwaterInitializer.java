package io.breakwater.chain;

import io.breakwater.core.config.ConfigReader;
import io.breakwater.core.config.Parameter;
import io.breakwater.core.config.Parsers;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.annotation.HandlesTypes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers Breakwater's filters, and the app's filters annotated with {@link Priority}, on {@code /*} in priority
 * order, when context-param {@code breakwater.autoRegister} is {@code true}; in every case it checks the order of
 * the chain and warns when it is wrong. Stateless and thread-safe.
 */
@HandlesTypes(Priority.class)
public class BreakwaterInitializer implements ServletContainerInitializer {
    private static final Logger LOG = LoggerFactory.getLogger(BreakwaterInitializer.class);

    /** Whether this initializer registers the filters itself. */
    public static final Parameter<Boolean> AUTO_REGISTER =
            Parameter.of("autoRegister", "BreakwaterInitializer", "false", Parsers.bool());

    /** Breakwater's own filters, found by name so that a filter that has not landed is simply absent. */
    static final List<String> SUITE = List.of(
            "io.breakwater.exception.ExceptionHandlingFilter",
            "io.breakwater.limit.ConcurrencyLimitFilter",
            "io.breakwater.timeout.TimeoutFilter",
            "io.breakwater.circuit.CircuitBreakerFilter",
            "io.breakwater.metrics.MetricsFilter");

    @Override
    public void onStartup(Set<Class<?>> annotated, ServletContext context) {
        if (ConfigReader.of(context).get(AUTO_REGISTER)) {
            new BreakwaterChain(annotatedFilters(annotated)).register(context);
        }
        ChainOrder.checkOnce(context);
    }

    static List<Class<? extends Filter>> filters(Set<Class<?>> annotated) {
        Set<Class<? extends Filter>> found = new LinkedHashSet<>();
        for (String name : SUITE) {
            try {
                found.add(Class.forName(name, false, BreakwaterInitializer.class.getClassLoader())
                        .asSubclass(Filter.class));
            } catch (ClassNotFoundException e) {
                LOG.debug("{} is not part of this build", name);
            }
        }
        if (annotated != null) {
            for (Class<?> type : annotated) {
                if (BreakwaterChain.canJoin(type)) {
                    found.add(type.asSubclass(Filter.class));
                }
            }
        }
        List<Class<? extends Filter>> ordered = new ArrayList<>(found);
        ordered.sort(Comparator.comparingInt(ChainOrder::priorityOf));
        return ordered;
    }

    /** The annotated classes the container handed over that can join the chain. */
    private static Class<?>[] annotatedFilters(Set<Class<?>> annotated) {
        return annotated == null ? new Class<?>[0]
                : annotated.stream().filter(BreakwaterChain::canJoin).toArray(Class<?>[]::new);
    }
}
