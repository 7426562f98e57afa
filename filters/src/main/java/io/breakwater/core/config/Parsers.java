package io.breakwater.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The parsers that every Breakwater parameter is read with; each one is immutable and thread-safe. */
public final class Parsers {

    private Parsers() {
    }

    /** A duration within bounds, like {@code 250ms}, {@code 5s} or {@code 1m}. */
    public static ValueParser<Duration> duration(Duration min, Duration max) {
        String accepted = "a duration between " + Durations.format(min) + " and " + Durations.format(max);
        return parser(accepted, text -> {
            Duration d = Durations.parse(text);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(text);
            }
            return d;
        });
    }

    /** A duration within bounds, or {@code off} (also {@code 0}), read as {@link Duration#ZERO}. */
    public static ValueParser<Duration> durationOrOff(Duration min, Duration max) {
        ValueParser<Duration> bounded = duration(min, max);
        return parser(bounded.accepted() + ", or off", text -> {
            if (text.equals("off") || text.equals("0")) {
                return Duration.ZERO;
            }
            return bounded.parse(text);
        });
    }

    /** A whole number within bounds. */
    public static ValueParser<Integer> integer(int min, int max) {
        return parser("an integer between " + min + " and " + max, text -> {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw new IllegalArgumentException(text);
            }
            return value;
        });
    }

    /** A percentage, a number greater than 0 and at most 100, like {@code 50} or {@code 12.5}. */
    public static ValueParser<Float> percentage() {
        return parser("a percentage greater than 0 and at most 100", text -> {
            float value = Float.parseFloat(text);
            if (!(value > 0 && value <= 100)) {
                throw new IllegalArgumentException(text);
            }
            return value;
        });
    }

    /** {@code true} or {@code false}, nothing else. */
    public static ValueParser<Boolean> bool() {
        return parser("true or false", text -> {
            if (text.equals("true")) {
                return true;
            }
            if (text.equals("false")) {
                return false;
            }
            throw new IllegalArgumentException(text);
        });
    }

    /** One word of a fixed list. */
    public static ValueParser<String> choice(String... choices) {
        List<String> allowed = List.of(choices);
        return parser("one of " + String.join(", ", allowed), text -> {
            if (!allowed.contains(text)) {
                throw new IllegalArgumentException(text);
            }
            return text;
        });
    }

    /** A comma-separated list of HTTP status codes, like {@code 500,502,503}; may be empty. */
    public static ValueParser<StatusSet> statuses() {
        return parser("a comma-separated list of HTTP status codes from 100 to 599", text -> {
            Set<Integer> statuses = new LinkedHashSet<>();
            for (String item : items(text)) {
                int status = Integer.parseInt(item);
                if (status < 100 || status > 599) {
                    throw new IllegalArgumentException(item);
                }
                statuses.add(status);
            }
            return new StatusSet(statuses);
        });
    }

    /** A comma-separated list of words; may be empty. */
    public static ValueParser<List<String>> list() {
        return parser("a comma-separated list", Parsers::items);
    }

    /**
     * Per-path values, like {@code /reports/*=30s,/export/*=off}: servlet-path patterns ({@code /exact},
     * {@code /prefix/*}, {@code *.ext}) each with a value of the given parser; may be empty.
     */
    public static <T> ValueParser<PathOverrides<T>> pathOverrides(ValueParser<T> values) {
        String accepted = "a comma-separated list of path=value, with paths like /exact, /prefix/* or *.ext"
                + " and values " + values.accepted();
        return parser(accepted, text -> {
            Map<String, T> map = new LinkedHashMap<>();
            for (String item : items(text)) {
                int eq = item.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(item);
                }
                String pattern = item.substring(0, eq).trim();
                if (!PathOverrides.isPattern(pattern)) {
                    throw new IllegalArgumentException(pattern);
                }
                map.put(pattern, values.parse(item.substring(eq + 1).trim()));
            }
            return new PathOverrides<>(map);
        });
    }

    static List<String> items(String text) {
        if (text.isBlank()) {
            return List.of();
        }
        List<String> items = new ArrayList<>();
        for (String item : Arrays.asList(text.split(","))) {
            String trimmed = item.trim();
            if (trimmed.isEmpty()) {
                throw new IllegalArgumentException(text);
            }
            items.add(trimmed);
        }
        return List.copyOf(items);
    }

    /** A parser from its description and a function that throws {@link IllegalArgumentException} on bad text. */
    public static <T> ValueParser<T> parser(String accepted, java.util.function.Function<String, T> parse) {
        return new ValueParser<>() {
            @Override
            public T parse(String text) {
                return parse.apply(text);
            }

            @Override
            public String accepted() {
                return accepted;
            }
        };
    }
}
