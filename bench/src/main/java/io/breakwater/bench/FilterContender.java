package io.breakwater.bench;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.metrics.servlet.InstrumentedFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;

/**
 * The filter chains under comparison, each named as the benchmarks and {@code bench/run} name it. Breakwater's
 * filters are found by class name, so that a filter that has not been merged yet is reported absent instead of
 * breaking the build, and is measured with no change once it lands. Immutable, thread-safe.
 */
public enum FilterContender {
    BARE("bare"),
    /** A filter that only calls the chain: the container's own cost of a filter. */
    PASS_THROUGH("passThrough", PassThroughFilter.class.getName()),
    /** Only the contract's {@code X-Request-Id} on every response: the floor under ExceptionHandlingFilter. */
    REQUEST_ID_HEADER("requestIdHeader", RequestIdHeaderFilter.class.getName()),
    /** The same header with a fixed value: what its bytes cost the container, without the id's making. */
    CONSTANT_HEADER("constantHeader", RequestIdHeaderFilter.Constant.class.getName()),
    /** The least a filter on Resilience4j does per call: the floor under CircuitBreakerFilter. */
    RESILIENCE4J("resilience4j", Resilience4jFilter.class.getName()),
    /** The same with no event consumer on the breaker. */
    RESILIENCE4J_QUIET("resilience4jQuiet", Resilience4jFilter.Quiet.class.getName()),
    INSTRUMENTED("instrumented", InstrumentedFilter.class.getName()),
    EXCEPTION_HANDLING("exceptionHandling", BreakwaterClasses.EXCEPTION_HANDLING),
    /** The overload scenario's limiter, behind the filter that must come first. */
    CONCURRENCY_LIMIT("concurrencyLimit", BreakwaterClasses.EXCEPTION_HANDLING, BreakwaterClasses.CONCURRENCY_LIMIT),
    TIMEOUT("timeout", BreakwaterClasses.TIMEOUT),
    CIRCUIT_BREAKER("circuitBreaker", BreakwaterClasses.CIRCUIT_BREAKER),
    METRICS("metrics", BreakwaterClasses.METRICS),
    /**
     * {@link PassThroughFilter} guarded by GuardedFilter (its own deadline, breaker and figures): against
     * {@link #PASS_THROUGH}, what guarding an app's filter costs.
     */
    GUARDED_PASS_THROUGH("guardedPassThrough", BreakwaterClasses.GUARDED),
    /** Every Breakwater filter present, in the contract's order. */
    CHAIN("chain", BreakwaterClasses.FILTERS_IN_ORDER.toArray(new String[0])),
    /**
     * The full chain with ten route templates, the request's the last of them: every request walks all ten.
     */
    CHAIN_ROUTES("chainRoutes", BreakwaterClasses.FILTERS_IN_ORDER.toArray(new String[0]));

    /** Ten templates of the kinds apps use; {@code /hello}, the contenders' servlet, matches only the last. */
    static final String TEN_ROUTES = "/orders/{id},/orders/{id}/items,/orders/{id}/items/{item},/customers/{id},"
            + "/customers/{id}/orders,/static/*,/assets/*,/api/v1/{kind}/{id},/health,/hello";

    private final String label;
    private final List<String> classNames;

    FilterContender(String label, String... classNames) {
        this.label = label;
        this.classNames = List.of(classNames);
    }

    public String label() {
        return label;
    }

    public static Optional<FilterContender> byLabel(String label) {
        for (FilterContender contender : values()) {
            if (contender.label.equals(label)) {
                return Optional.of(contender);
            }
        }
        return Optional.empty();
    }

    /**
     * The filters of this contender that are on the class path, in chain order; empty when the contender is absent.
     * The full chain needs ExceptionHandlingFilter and takes whichever of the others are present.
     */
    public Optional<List<Class<? extends Filter>>> filters() {
        List<Class<? extends Filter>> found = new ArrayList<>();
        for (String name : classNames) {
            Optional<Class<? extends Filter>> filter = BreakwaterClasses.load(name, Filter.class);
            if (filter.isPresent()) {
                found.add(filter.get());
            } else if (this != CHAIN && this != CHAIN_ROUTES || name.equals(BreakwaterClasses.EXCEPTION_HANDLING)) {
                return Optional.empty();
            }
        }
        return Optional.of(found);
    }

    /** What the run prints for this contender: the filters it runs, or why it cannot run. */
    public String description() {
        return filters().map(list -> list.isEmpty() ? "no filter"
                        : String.join(" + ", list.stream().map(Class::getSimpleName).toList())
                                + (this == CHAIN_ROUTES ? ", ten route templates" : ""))
                .orElse("absent: " + missing());
    }

    /** The classes this contender lacks, comma-separated. */
    public String missing() {
        return String.join(", ", classNames.stream()
                .filter(name -> BreakwaterClasses.load(name, Filter.class).isEmpty()).toList());
    }

    /** Maps this contender's filters on every path of {@code context}; the contender must be present. */
    public void install(ServletContextHandler context) {
        List<Class<? extends Filter>> filters = filters()
                .orElseThrow(() -> new IllegalStateException(label + " is " + description()));
        // InstrumentedFilter quietly makes a private registry when this attribute is missing: give it a real one.
        context.setAttribute(InstrumentedFilter.class.getName() + ".registry", new MetricRegistry());
        if (this == CHAIN_ROUTES) {
            context.setInitParameter("breakwater.routes", TEN_ROUTES);
        }
        for (Class<? extends Filter> filter : filters) {
            FilterHolder holder = new FilterHolder(filter);
            if (filter.getName().equals(BreakwaterClasses.GUARDED)) {
                holder.setInitParameter("filter", PassThroughFilter.class.getName());
            }
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        }
    }
}
