package io.breakwater.proxy.balance;

import io.breakwater.core.config.ConfigException;
import io.breakwater.core.config.Parsers;
import io.breakwater.core.config.ValueParser;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One backend as configured: {@code http://host:port} or {@code https://host:port}, optionally followed by
 * {@code ;weight=N} (1 to 100, default 1); a list separates them with commas. Immutable.
 */
public record BackendSpec(URI uri, int weight) {
    public static final int MAX_WEIGHT = 100;
    private static final int MAX_PORT = 65535;
    public static final String ACCEPTED = "a comma-separated list of http:// or https:// URLs without path,"
            + " each optionally followed by ;weight=N with N from 1 to " + MAX_WEIGHT;

    /** The parser of the {@code backends} parameter; rejects an empty list or item, and names a duplicate. */
    public static ValueParser<List<BackendSpec>> listParser() {
        return Parsers.parser(ACCEPTED, text -> {
            List<BackendSpec> specs = new ArrayList<>();
            Map<String, URI> seen = new HashMap<>();
            for (String item : text.split(",", -1)) {
                BackendSpec spec = parse(item.trim());
                // host names are case-insensitive: http://A:80 is http://a:80 again
                URI first = seen.putIfAbsent(spec.uri().toString().toLowerCase(Locale.ROOT), spec.uri());
                if (first != null) {
                    throw new ConfigException.Reason("listed \"" + first + "\" twice");
                }
                specs.add(spec);
            }
            return List.copyOf(specs);
        });
    }

    /** Parses one entry; throws {@link IllegalArgumentException} when it is not one. */
    public static BackendSpec parse(String text) {
        String[] parts = text.split(";");
        int weight = 1;
        for (int i = 1; i < parts.length; i++) {
            String attribute = parts[i].trim();
            if (!attribute.startsWith("weight=")) {
                throw new IllegalArgumentException(attribute);
            }
            weight = Integer.parseInt(attribute.substring("weight=".length()).trim());
            if (weight < 1 || weight > MAX_WEIGHT) {
                throw new IllegalArgumentException(attribute);
            }
        }
        URI uri = URI.create(parts[0].trim());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean pathless = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || !pathless
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(text);
        }
        if (uri.getPort() == 0 || uri.getPort() > MAX_PORT) {
            throw new IllegalArgumentException(text);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return new BackendSpec(URI.create(scheme + "://" + uri.getHost() + ":" + port), weight);
    }
}
