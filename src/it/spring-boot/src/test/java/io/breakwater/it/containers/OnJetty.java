package io.breakwater.it.containers;

import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses embedded Jetty, with both containers on the class path. */
@Configuration(proxyBeanMethods = false)
public class OnJetty {
    @Bean
    public JettyServletWebServerFactory jetty() {
        return new JettyServletWebServerFactory();
    }
}
