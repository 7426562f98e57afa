package io.breakwater.config;

/**
 * A configuration value that Breakwater cannot accept; its message names the parameter, the value and what
 * is accepted, in one grammar: {@code timeout must be between 1ms and 1h, but was "0s"}. Immutable.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    /** The one message grammar for a rejected value. */
    public static ConfigException rejected(String name, String accepted, String value) {
        return new ConfigException(name + " must be " + accepted + ", but was \"" + value + "\"");
    }
}
