package io.breakwater.exception;

import io.breakwater.core.config.ConfigReader;
import io.breakwater.core.config.Parameter;
import java.util.List;

/** What {@link ExceptionHandlingFilter} is configured to do, read once at init. Immutable. */
public final class ExceptionHandlingConfig {
    private static final String COMPONENT = "ExceptionHandlingFilter";

    /** The app's own exception-to-status mappings, checked before the built-in ones. */
    public static final Parameter<List<ExceptionMapping>> EXCEPTION_MAPPINGS =
            Parameter.of("exceptionMappings", COMPONENT, "", ExceptionMapping.parser());

    private final List<ExceptionMapping> mappings;

    ExceptionHandlingConfig(List<ExceptionMapping> mappings) {
        this.mappings = mappings;
    }

    public static ExceptionHandlingConfig read(ConfigReader reader) {
        return new ExceptionHandlingConfig(reader.get(EXCEPTION_MAPPINGS));
    }

    public List<ExceptionMapping> mappings() {
        return mappings;
    }
}
