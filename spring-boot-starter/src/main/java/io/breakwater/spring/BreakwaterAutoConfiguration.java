package io.breakwater.spring;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.chain.Priority;
import io.breakwater.circuit.CircuitBreakerFilter;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.limit.ConcurrencyLimitFilter;
import io.breakwater.metrics.MetricsFilter;
import io.breakwater.metrics.MetricsServlet;
import io.breakwater.micrometer.BreakwaterMeterBinder;
import io.breakwater.proxy.BalancingProxyServlet;
import io.breakwater.spring.internal.MvcRoutes;
import io.breakwater.spring.internal.ParameterTable;
import io.breakwater.spring.internal.ReadinessHealth;
import io.breakwater.spring.internal.SpringKeys;
import io.breakwater.spring.internal.SpringSettings;
import io.breakwater.status.StatusServlet;
import io.breakwater.timeout.TimeoutFilter;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * Breakwater in a Spring Boot servlet app, from {@code application.yml}: the suite's filters in priority order
 * ahead of Spring Security's chain, each on {@code /*} for REQUEST and ASYNC unless
 * {@code breakwater.filters.<filter>.enabled=false} or the app has its own registration of that filter; every
 * parameter of the table under {@code breakwater.*}, read and checked at start; {@code BalancingProxyServlet} on
 * {@code breakwater.proxy.path}; routes from Spring MVC's handler patterns; the figures bound to Micrometer and the
 * readiness in Actuator's health; the status page and the metrics servlet when enabled. Every bean backs off for
 * one of the app's own. Its beans are made once, at start; the filters and servlets they register are thread-safe.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(ExceptionHandlingFilter.class)
public class BreakwaterAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(BreakwaterAutoConfiguration.class);

    /** The parameters set in the Spring configuration, checked here: a bad one stops the app now. */
    @Bean
    @ConditionalOnMissingBean
    SpringSettings breakwaterSettings(Environment environment) {
        return SpringSettings.read((ConfigurableEnvironment) environment, ParameterTable.load());
    }

    /** The web app's Dropwizard registry, the one the filters, JMX and Micrometer's binder share. */
    @Bean
    @ConditionalOnMissingBean
    MetricRegistry breakwaterMetricRegistry() {
        return new MetricRegistry();
    }

    /** Puts the settings and the registry in the servlet context before any filter starts. */
    @Bean
    ServletContextInitializer breakwaterContext(SpringSettings settings, MetricRegistry registry) {
        return context -> {
            context.setAttribute(BreakwaterMetrics.REGISTRY_ATTRIBUTE, registry);
            Map<String, String> origins = new HashMap<>();
            settings.contextParameters().forEach((name, value) -> {
                if (context.setInitParameter(name, value)) {
                    origins.put(name, settings.origins().get(name));
                } else {
                    LOG.warn("{} is set both as a context parameter ({}) and in the Spring configuration ({}):"
                            + " the context parameter wins", name, context.getInitParameter(name), value);
                }
            });
            // the filters' start-up lines name the Spring key of each value set here
            context.setAttribute(ConfigReader.ORIGINS_ATTRIBUTE, Map.copyOf(origins));
        };
    }

    @Bean
    @ConditionalOnMissingFilterBean(ExceptionHandlingFilter.class)
    @ConditionalOnBooleanProperty(name = SpringKeys.EXCEPTION_HANDLING_ENABLED, matchIfMissing = true)
    FilterRegistrationBean<ExceptionHandlingFilter> breakwaterExceptionHandlingFilter() {
        return filter(new ExceptionHandlingFilter(), Priority.EXCEPTION_HANDLING);
    }

    @Bean
    @ConditionalOnMissingFilterBean(ConcurrencyLimitFilter.class)
    @ConditionalOnBooleanProperty(name = SpringKeys.CONCURRENCY_LIMIT_ENABLED, matchIfMissing = true)
    FilterRegistrationBean<ConcurrencyLimitFilter> breakwaterConcurrencyLimitFilter() {
        return filter(new ConcurrencyLimitFilter(), Priority.CONCURRENCY_LIMIT);
    }

    @Bean
    @ConditionalOnMissingFilterBean(TimeoutFilter.class)
    @ConditionalOnBooleanProperty(name = SpringKeys.TIMEOUT_ENABLED, matchIfMissing = true)
    FilterRegistrationBean<TimeoutFilter> breakwaterTimeoutFilter() {
        return filter(new TimeoutFilter(), Priority.TIMEOUT);
    }

    @Bean
    @ConditionalOnMissingFilterBean(CircuitBreakerFilter.class)
    @ConditionalOnBooleanProperty(name = SpringKeys.CIRCUIT_BREAKER_ENABLED, matchIfMissing = true)
    FilterRegistrationBean<CircuitBreakerFilter> breakwaterCircuitBreakerFilter() {
        return filter(new CircuitBreakerFilter(), Priority.CIRCUIT_BREAKER);
    }

    @Bean
    @ConditionalOnMissingFilterBean(MetricsFilter.class)
    @ConditionalOnBooleanProperty(name = SpringKeys.METRICS_ENABLED, matchIfMissing = true)
    FilterRegistrationBean<MetricsFilter> breakwaterMetricsFilter() {
        return filter(new MetricsFilter(), Priority.METRICS);
    }

    /** The proxy on its path, with the {@code breakwater.proxy.*} parameters as its init-params. */
    @Bean
    @ConditionalOnProperty(SpringKeys.PROXY_PATH)
    @ConditionalOnMissingBean(name = "breakwaterProxyServlet")
    ServletRegistrationBean<BalancingProxyServlet> breakwaterProxyServlet(SpringSettings settings,
            Environment environment) {
        ServletRegistrationBean<BalancingProxyServlet> bean = new ServletRegistrationBean<>(
                new BalancingProxyServlet(), environment.getRequiredProperty(SpringKeys.PROXY_PATH));
        bean.setName("proxy");
        bean.setInitParameters(settings.proxyParameters());
        bean.setAsyncSupported(true);
        bean.setLoadOnStartup(1); // its parameters are checked at start, not on the first request
        return bean;
    }

    @Bean
    @ConditionalOnBooleanProperty(SpringKeys.STATUS_PAGE_ENABLED)
    @ConditionalOnMissingBean(name = "breakwaterStatusServlet")
    ServletRegistrationBean<StatusServlet> breakwaterStatusServlet(Environment environment) {
        return operatorPage(new StatusServlet(), "breakwaterStatus",
                environment.getProperty(SpringKeys.STATUS_PAGE_PATH, SpringKeys.DEFAULT_STATUS_PAGE_PATH));
    }

    @Bean
    @ConditionalOnBooleanProperty(SpringKeys.METRICS_PAGE_ENABLED)
    @ConditionalOnMissingBean(name = "breakwaterMetricsServlet")
    ServletRegistrationBean<MetricsServlet> breakwaterMetricsServlet(Environment environment) {
        return operatorPage(new MetricsServlet(), "breakwaterMetrics",
                environment.getProperty(SpringKeys.METRICS_PAGE_PATH, SpringKeys.DEFAULT_METRICS_PAGE_PATH));
    }

    /** Routes from Spring MVC's handler mappings. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(RequestMappingInfoHandlerMapping.class)
    @ConditionalOnBooleanProperty(name = SpringKeys.MVC_ROUTES_ENABLED, matchIfMissing = true)
    static class MvcRoutesConfiguration {
        @Bean
        @ConditionalOnMissingBean
        MvcRoutes breakwaterMvcRoutes(ObjectProvider<RequestMappingInfoHandlerMapping> mappings) {
            return new MvcRoutes(mappings);
        }
    }

    /** The figures in Micrometer: Spring Boot binds every MeterBinder bean to its registries. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class MicrometerConfiguration {
        @Bean
        @ConditionalOnMissingBean
        BreakwaterMeterBinder breakwaterMeterBinder(MetricRegistry registry) {
            return new BreakwaterMeterBinder(registry);
        }
    }

    /** The readiness in Actuator's health, as contributor {@code breakwater}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "breakwaterHealthIndicator")
        ReadinessHealth breakwaterHealthIndicator() {
            return new ReadinessHealth();
        }
    }

    private static <F extends Filter> FilterRegistrationBean<F> filter(F filter, int priority) {
        FilterRegistrationBean<F> bean = new FilterRegistrationBean<>(filter);
        // Spring Security's chain is at -100: the suite runs before it, after only Spring's character encoding
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE + priority);
        bean.setAsyncSupported(true);
        bean.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        bean.addUrlPatterns("/*");
        return bean;
    }

    private static <S extends jakarta.servlet.Servlet> ServletRegistrationBean<S> operatorPage(S servlet, String name,
            String path) {
        ServletRegistrationBean<S> bean = new ServletRegistrationBean<>(servlet, path);
        bean.setName(name);
        bean.setLoadOnStartup(1);
        return bean;
    }
}
