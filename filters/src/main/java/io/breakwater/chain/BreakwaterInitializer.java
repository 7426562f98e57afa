package io.breakwater.chain;

import io.breakwater.config.ConfigReader;
import io.breakwater.config.Parameter;
import io.breakwater.config.Parsers;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.annotation.HandlesTypes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
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
            register(filters(annotated), context);
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
                if (Filter.class.isAssignableFrom(type) && !type.isInterface()
                        && !java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
                    found.add(type.asSubclass(Filter.class));
                }
            }
        }
        List<Class<? extends Filter>> ordered = new ArrayList<>(found);
        ordered.sort(Comparator.comparingInt(ChainOrder::priorityOf));
        return ordered;
    }

    private static void register(List<Class<? extends Filter>> filters, ServletContext context) {
        List<String> names = new ArrayList<>();
        for (Class<? extends Filter> type : filters) {
            FilterRegistration.Dynamic registration = context.addFilter(type.getSimpleName(), type);
            if (registration == null) {
                LOG.info("{} is already registered; its own mapping stands", type.getSimpleName());
                continue;
            }
            registration.setAsyncSupported(true);
            // isMatchAfter=false: ahead of web.xml's filters, in the order registered here
            registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC),
                    false, "/*");
            names.add(type.getName());
        }
        context.setAttribute(ChainOrder.REGISTERED_ATTRIBUTE, List.copyOf(names));
        LOG.info("Breakwater registered its chain: {}", String.join(" -> ", names));
    }
}
