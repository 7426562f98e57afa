package io.breakwater.proxy;

import io.breakwater.core.config.Parsers;
import io.breakwater.core.config.ValueParser;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Request headers added to every backend request, from {@code Name=value,...}; a value may hold
 * {@code ${clientAddress}} and {@code ${requestId}}. Immutable and thread-safe.
 */
public final class HeaderTemplates {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private final Map<String, String> templates;

    private HeaderTemplates(Map<String, String> templates) {
        this.templates = Map.copyOf(templates);
    }

    static ValueParser<HeaderTemplates> parser() {
        return Parsers.parser("a comma-separated list of Name=value, with ${clientAddress} and ${requestId}"
                + " allowed in values", text -> {
                    Map<String, String> map = new LinkedHashMap<>();
                    for (String item : Parsers.list().parse(text)) {
                        int eq = item.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException(item);
                        }
                        String name = item.substring(0, eq).trim();
                        String value = item.substring(eq + 1).trim();
                        if (!TOKEN.matcher(name).matches()) {
                            throw new IllegalArgumentException(name);
                        }
                        VARIABLE.matcher(value).results().forEach(m -> {
                            if (!m.group(1).equals("clientAddress") && !m.group(1).equals("requestId")) {
                                throw new IllegalArgumentException(m.group());
                            }
                        });
                        map.put(name, value);
                    }
                    return new HeaderTemplates(map);
                });
    }

    /** The headers with their variables filled in; no map is made per request when there are none (the default). */
    Map<String, String> resolve(String clientAddress, String requestId) {
        if (templates.isEmpty()) {
            return Map.of();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        templates.forEach((name, value) -> headers.put(name,
                value.replace("${clientAddress}", clientAddress).replace("${requestId}", requestId)));
        return headers;
    }

    boolean isEmpty() {
        return templates.isEmpty();
    }
}
