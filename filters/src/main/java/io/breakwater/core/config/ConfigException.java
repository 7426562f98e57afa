package io.breakwater.core.config;

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

    /**
     * What a parser throws when it can say more precisely than the whole value what is wrong: {@link Parameter}
     * ends its message with this one's, after "but" ({@code backends must be ..., but listed "http://a:80" twice}).
     * Immutable.
     */
    public static final class Reason extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** {@code butClause} completes "..., but ": {@code listed "http://a:80" twice}. */
        public Reason(String butClause) {
            super(butClause);
        }
    }
}
