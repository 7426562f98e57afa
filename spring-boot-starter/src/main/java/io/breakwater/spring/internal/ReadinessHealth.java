package io.breakwater.spring.internal;

import io.breakwater.core.health.Readiness;
import jakarta.servlet.ServletContext;
import java.util.List;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.web.context.ServletContextAware;

/**
 * Actuator's view of the web app's {@link Readiness}: {@code UP} while it takes traffic, {@code DOWN} with the
 * reasons ({@code draining}, {@code no usable backend in proxy}) while it should not. The app starts draining when
 * its Spring context begins to close, so that a probe sees it before the web server stops. Thread-safe.
 */
public final class ReadinessHealth implements HealthIndicator, ServletContextAware,
        ApplicationListener<ContextClosedEvent> {
    private volatile ServletContext context;

    @Override
    public void setServletContext(ServletContext context) {
        this.context = context;
    }

    @Override
    public Health health() {
        ServletContext current = context;
        if (current == null) {
            return Health.unknown().build();
        }
        List<String> reasons = Readiness.of(current).reasons();
        return reasons.isEmpty() ? Health.up().build() : Health.down().withDetail("reasons", reasons).build();
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        ServletContext current = context;
        if (current != null) {
            Readiness.drain(current);
        }
    }
}
