package io.breakwater.spring.internal;

import io.breakwater.core.config.ConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Tells a Spring Boot user why the app did not start when a Breakwater parameter is wrong: the parameter's own
 * one-line message, as {@code web.xml} would give it, instead of a stack of bean creation failures. Stateless.
 */
public final class ConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix the value under breakwater.* (application.yml), or the BREAKWATER_ variable or breakwater."
                        + " system property that sets it.", cause);
    }
}
