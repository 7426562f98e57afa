package io.breakwater.chain;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A filter's place in the chain that {@link BreakwaterInitializer} registers: lowest first. Breakwater's own
 * filters have the constants here, given in the suite's list; an app's filter annotated with it joins the same order.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Priority {
    int EXCEPTION_HANDLING = 100;
    int CONCURRENCY_LIMIT = 150;
    int TIMEOUT = 200;
    int CIRCUIT_BREAKER = 300;
    int METRICS = 400;

    /** Lower runs earlier. */
    int value();
}
