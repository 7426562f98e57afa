package io.breakwater.core.config;

import java.util.Objects;

/**
 * One configuration parameter: its name, the component that reads it, its documented default and its parser.
 * Every parameter of Breakwater is a {@code public static final Parameter} constant, so that a test can hold the
 * README's table against the code. Immutable and thread-safe.
 */
public final class Parameter<T> {
    private final String name;
    private final String component;
    private final String defaultText;
    private final ValueParser<T> parser;

    private Parameter(String name, String component, String defaultText, ValueParser<T> parser) {
        this.name = Objects.requireNonNull(name);
        this.component = Objects.requireNonNull(component);
        this.defaultText = defaultText;
        this.parser = Objects.requireNonNull(parser);
    }

    /** A parameter with a default; the default is parsed now, so that a wrong constant fails at class load. */
    public static <T> Parameter<T> of(String name, String component, String defaultText, ValueParser<T> parser) {
        Parameter<T> parameter = new Parameter<>(name, component, Objects.requireNonNull(defaultText), parser);
        parameter.parse(defaultText);
        return parameter;
    }

    /** A parameter that has no default: reading it when unset is an error. */
    public static <T> Parameter<T> required(String name, String component, ValueParser<T> parser) {
        return new Parameter<>(name, component, null, parser);
    }

    public String name() {
        return name;
    }

    /** Who reads it, as the README's table says: a filter's or servlet's simple class name. */
    public String component() {
        return component;
    }

    /** The default as written in the README, or {@code null} for a required parameter. */
    public String defaultText() {
        return defaultText;
    }

    public String accepted() {
        return parser.accepted();
    }

    /** Parses a value of this parameter, with the one message grammar on failure. */
    public T parse(String text) {
        try {
            return parser.parse(text.trim());
        } catch (ConfigException e) {
            throw e;
        } catch (ConfigException.Reason e) {
            throw new ConfigException(name + " must be " + parser.accepted() + ", but " + e.getMessage());
        } catch (RuntimeException e) {
            throw ConfigException.rejected(name, parser.accepted(), text);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
