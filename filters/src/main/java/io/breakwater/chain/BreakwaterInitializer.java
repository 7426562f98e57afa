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

/**
 * Registers Breakwater's filters (the suite's one list), and the app's filters annotated with {@link Priority}, on
 * {@code /*} in priority order, when context-param {@code breakwater.autoRegister} is {@code true}; in every case it
 * checks the order of the chain and warns when it is wrong. Stateless and thread-safe.
 */
@HandlesTypes(Priority.class)
public class BreakwaterInitializer implements ServletContainerInitializer {
    /** Whether this initializer registers the filters itself. */
    public static final Parameter<Boolean> AUTO_REGISTER =
            Parameter.of("autoRegister", "BreakwaterInitializer", "false", Parsers.bool());

    @Override
    public void onStartup(Set<Class<?>> annotated, ServletContext context) {
        if (ConfigReader.of(context).get(AUTO_REGISTER)) {
            new BreakwaterChain(annotatedFilters(annotated)).register(context);
        }
        ChainOrder.checkOnce(context);
    }

    /** The suite's filters and the app's annotated ones that can join the chain, lowest priority first. */
    static List<Class<? extends Filter>> filters(Set<Class<?>> annotated) {
        Set<Class<? extends Filter>> found = new LinkedHashSet<>();
        for (Suite.Member member : Suite.MEMBERS) {
            found.add(member.type());
        }
        if (annotated != null) {
            for (Class<?> type : annotated) {
                if (BreakwaterChain.canJoin(type)) {
                    found.add(type.asSubclass(Filter.class));
                }
            }
        }
        List<Class<? extends Filter>> ordered = new ArrayList<>(found);
        ordered.sort(Comparator.comparingInt(Suite::priorityOf));
        return ordered;
    }

    /** The annotated classes the container handed over that can join the chain. */
    private static Class<?>[] annotatedFilters(Set<Class<?>> annotated) {
        return annotated == null ? new Class<?>[0]
                : annotated.stream().filter(BreakwaterChain::canJoin).toArray(Class<?>[]::new);
    }
}
