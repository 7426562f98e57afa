package io.breakwater.chain;

import io.breakwater.chain.internal.ChainOrder;
import io.breakwater.chain.internal.Suite;
import io.breakwater.guard.GuardedFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers Breakwater's filters, and the app's own filters annotated with {@link Priority}, from code: on
 * {@code /*} for REQUEST and ASYNC, async-supported, ahead of any {@code web.xml} filter, lowest priority first.
 * For a web app without {@code web.xml} entries in a container that runs no initializer from the app's jars (an
 * embedded Jetty or Tomcat set up in code, Spring Boot): add it as the context's {@link ServletContainerInitializer},
 * or call {@link #register(ServletContext)} while the context starts. An app's filter can join guarded
 * ({@link #guarding(Class, Map)}, {@link #guarding(Filter, Map)}): wrapped in a {@link GuardedFilter}, at its own
 * priority. Immutable and thread-safe.
 */
public final class BreakwaterChain implements ServletContainerInitializer {
    private static final Logger LOG = LoggerFactory.getLogger(BreakwaterChain.class);

    private final Set<Class<?>> appFilters;
    /** The app's filters that join guarded, by class, each with what the guard is made of and its parameters. */
    private final Map<Class<?>, Guarded> guarded;

    /** The suite, joined by the app's filters: each a concrete {@link Filter} annotated with {@link Priority}. */
    public BreakwaterChain(Class<?>... appFilters) {
        this(new LinkedHashSet<>(Arrays.asList(appFilters)), Map.of());
    }

    private BreakwaterChain(Set<Class<?>> appFilters, Map<Class<?>, Guarded> guarded) {
        Set<Class<?>> filters = new LinkedHashSet<>();
        for (Class<?> type : appFilters) {
            if (!canJoin(type)) {
                throw new IllegalArgumentException(type.getName() + " must be a concrete Filter annotated with"
                        + " @Priority");
            }
            filters.add(type);
        }
        this.appFilters = Set.copyOf(filters);
        this.guarded = Map.copyOf(guarded);
    }

    /**
     * This chain with the app's filter of this class (a concrete {@link Filter} annotated with {@link Priority})
     * joining it guarded: a new instance made by the container, in a {@link GuardedFilter} with these init-params
     * (the guard's, like {@code guardTimeout}, and the filter's own).
     */
    public BreakwaterChain guarding(Class<? extends Filter> type, Map<String, String> initParams) {
        return with(type, new Guarded(() -> new GuardedFilter(type), initParams));
    }

    /** This chain with this instance of an app's filter joining it guarded, as {@link #guarding(Class, Map)}. */
    public BreakwaterChain guarding(Filter filter, Map<String, String> initParams) {
        return with(filter.getClass(), new Guarded(() -> new GuardedFilter(filter), initParams));
    }

    private BreakwaterChain with(Class<?> type, Guarded guard) {
        Set<Class<?>> filters = new LinkedHashSet<>(appFilters);
        filters.add(type);
        Map<Class<?>, Guarded> guards = new LinkedHashMap<>(guarded);
        guards.put(type, guard);
        return new BreakwaterChain(filters, guards);
    }

    /**
     * Whether a class can join the chain: one of the suite's filters, or a filter the container can instantiate with
     * a {@link Priority}.
     */
    static boolean canJoin(Class<?> type) {
        return Suite.contains(type) || Filter.class.isAssignableFrom(type) && type.getAnnotation(Priority.class) != null
                && !type.isInterface() && !Modifier.isAbstract(type.getModifiers());
    }

    /** Registers the chain when the container starts the context; the classes it was handed are not used. */
    @Override
    public void onStartup(Set<Class<?>> handled, ServletContext context) {
        register(context);
    }

    /**
     * Registers the chain on a context that is starting (from an initializer, or a Spring Boot
     * {@code ServletContextInitializer}), and returns the class names registered, in order. A filter registered
     * under the same name already (its simple class name) keeps its own mapping, and is left out.
     */
    public List<String> register(ServletContext context) {
        List<String> names = new ArrayList<>();
        List<Class<?>> registered = new ArrayList<>();
        for (Class<? extends Filter> type : BreakwaterInitializer.filters(appFilters)) {
            Guarded guard = guarded.get(type);
            FilterRegistration.Dynamic registration = guard == null ? context.addFilter(type.getSimpleName(), type)
                    : context.addFilter(type.getSimpleName(), guard.filter().get());
            if (registration == null) {
                LOG.info("{} is already registered; its own mapping stands", type.getSimpleName());
                continue;
            }
            registration.setAsyncSupported(true);
            if (guard != null) {
                registration.setInitParameters(guard.initParams());
            }
            // isMatchAfter=false: ahead of web.xml's filters, in the order registered here
            registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC),
                    false, "/*");
            names.add(guard == null ? type.getName() : "guarded " + type.getName());
            registered.add(type);
        }
        context.setAttribute(ChainOrder.REGISTERED_ATTRIBUTE, List.copyOf(registered));
        LOG.info("Breakwater registered its chain: {}", String.join(" -> ", names));
        return names;
    }

    /** An app's filter joining guarded: how to make its guard, and the guard's init-params. */
    private record Guarded(Supplier<Filter> filter, Map<String, String> initParams) {
        Guarded {
            initParams = Map.copyOf(initParams);
        }
    }
}
