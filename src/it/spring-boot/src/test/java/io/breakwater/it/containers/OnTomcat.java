package io.breakwater.it.containers;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses embedded Tomcat, with both containers on the class path. */
@Configuration(proxyBeanMethods = false)
public class OnTomcat {
    @Bean
    public TomcatServletWebServerFactory tomcat() {
        return new TomcatServletWebServerFactory();
    }
}
