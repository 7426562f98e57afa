package io.breakwater.core.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Values that apply to some paths only, keyed by servlet-path patterns: exact ({@code /health}), prefix
 * ({@code /reports/*}, the longest wins) and extension ({@code *.csv}), matched as the servlet spec matches
 * mappings. Immutable and thread-safe.
 */
public final class PathOverrides<T> {
    private final Map<String, T> exact = new LinkedHashMap<>();
    private final Map<String, T> prefixes = new LinkedHashMap<>();
    private final Map<String, T> extensions = new LinkedHashMap<>();

    PathOverrides(Map<String, T> byPattern) {
        byPattern.forEach((pattern, value) -> {
            if (pattern.startsWith("*.")) {
                extensions.put(pattern.substring(1), value);
            } else if (pattern.endsWith("/*")) {
                prefixes.put(pattern.substring(0, pattern.length() - 2), value);
            } else {
                exact.put(pattern, value);
            }
        });
    }

    /** No overrides at all. */
    public static <T> PathOverrides<T> none() {
        return new PathOverrides<>(Map.of());
    }

    static boolean isPattern(String pattern) {
        if (pattern.startsWith("*.")) {
            return pattern.length() > 2 && pattern.indexOf('/') < 0 && pattern.indexOf('*', 1) < 0;
        }
        return pattern.startsWith("/") && pattern.indexOf('*') == pattern.lastIndexOf('*')
                && (pattern.indexOf('*') < 0 || pattern.endsWith("/*"));
    }

    public boolean isEmpty() {
        return exact.isEmpty() && prefixes.isEmpty() && extensions.isEmpty();
    }

    /** The value of an exact pattern written as this key (a route template, like {@code /orders/{id}}), if any. */
    public Optional<T> exactly(String key) {
        return exact.isEmpty() ? Optional.empty() : Optional.ofNullable(exact.get(key));
    }

    /** The value for a path inside the context ({@code servletPath + pathInfo}), if a pattern matches it. */
    public Optional<T> match(String path) {
        if (isEmpty()) {
            return Optional.empty();
        }
        T value = exact.get(path);
        if (value != null) {
            return Optional.of(value);
        }
        String best = null;
        for (String prefix : prefixes.keySet()) {
            boolean matches = path.equals(prefix) || path.startsWith(prefix + "/") || prefix.isEmpty();
            if (matches && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        if (best != null) {
            return Optional.of(prefixes.get(best));
        }
        int dot = path.lastIndexOf('.');
        if (dot >= 0 && path.indexOf('/', dot) < 0) {
            return Optional.ofNullable(extensions.get(path.substring(dot)));
        }
        return Optional.empty();
    }
}
