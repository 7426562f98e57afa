package io.breakwater.testing;

import io.breakwater.core.config.ConfigException;

/** Finds the configuration error behind a failed deployment, however the container wrapped it. Stateless. */
public final class ConfigFailures {
    private ConfigFailures() {
    }

    /** The {@link ConfigException} among {@code thrown}'s causes and their suppressed exceptions. */
    public static ConfigException configException(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof ConfigException) {
                return (ConfigException) t;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (suppressed instanceof ConfigException) {
                    return (ConfigException) suppressed;
                }
            }
        }
        throw new AssertionError("no ConfigException in " + thrown, thrown);
    }
}
