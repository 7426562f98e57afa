package io.breakwater.guard.internal;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/**
 * The guarded filter's own configuration: the guard's filter name, context and init-params, without the guard's own
 * parameters. Immutable and thread-safe.
 */
public final class GuardedFilterConfig implements FilterConfig {
    private final FilterConfig guard;
    private final Set<String> hidden;

    /** The guard's configuration with the parameters named in {@code hidden} left out. */
    public GuardedFilterConfig(FilterConfig guard, Set<String> hidden) {
        this.guard = guard;
        this.hidden = hidden;
    }

    @Override
    public String getFilterName() {
        return guard.getFilterName();
    }

    @Override
    public ServletContext getServletContext() {
        return guard.getServletContext();
    }

    @Override
    public String getInitParameter(String name) {
        return hidden.contains(name) ? null : guard.getInitParameter(name);
    }

    @Override
    public Enumeration<String> getInitParameterNames() {
        List<String> names = new ArrayList<>();
        for (String name : Collections.list(guard.getInitParameterNames())) {
            if (!hidden.contains(name)) {
                names.add(name);
            }
        }
        return Collections.enumeration(names);
    }
}
