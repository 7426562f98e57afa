package io.breakwater.chain;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers Breakwater's filters, and the app's own filters annotated with {@link Priority}, from code: on
 * {@code /*} for REQUEST and ASYNC, async-supported, ahead of any {@code web.xml} filter, lowest priority first.
 * For a web app without {@code web.xml} entries in a container that runs no initializer from the app's jars (an
 * embedded Jetty or Tomcat set up in code, Spring Boot): add it as the context's {@link ServletContainerInitializer},
 * or call {@link #register(ServletContext)} while the context starts. Immutable and thread-safe.
 */
public final class BreakwaterChain implements ServletContainerInitializer {
    private static final Logger LOG = LoggerFactory.getLogger(BreakwaterChain.class);

    private final Set<Class<?>> appFilters;

    /** The suite, joined by the app's filters: each a concrete {@link Filter} annotated with {@link Priority}. */
    public BreakwaterChain(Class<?>... appFilters) {
        Set<Class<?>> filters = new LinkedHashSet<>();
        for (Class<?> type : appFilters) {
            if (!canJoin(type)) {
                throw new IllegalArgumentException(type.getName() + " must be a concrete Filter annotated with"
                        + " @Priority");
            }
            filters.add(type);
        }
        this.appFilters = Set.copyOf(filters);
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
            registered.add(type);
        }
        context.setAttribute(ChainOrder.REGISTERED_ATTRIBUTE, List.copyOf(registered));
        LOG.info("Breakwater registered its chain: {}", String.join(" -> ", names));
        return names;
    }
}
