package io.breakwater.it.own;

import io.breakwater.chain.Priority;
import io.breakwater.timeout.TimeoutFilter;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** An app that registers TimeoutFilter itself, with a deadline of its own. */
@Configuration(proxyBeanMethods = false)
public class OwnTimeoutFilter {
    @Bean
    public FilterRegistrationBean<TimeoutFilter> appTimeoutFilter() {
        FilterRegistrationBean<TimeoutFilter> bean = new FilterRegistrationBean<>(new TimeoutFilter());
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE + Priority.TIMEOUT);
        bean.setAsyncSupported(true);
        bean.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        bean.addInitParameter("timeout", "100ms");
        return bean;
    }
}
