package io.breakwater.spring.internal;

import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.json.internal.Json;
import java.util.List;

/**
 * Spring's configuration metadata ({@code META-INF/spring-configuration-metadata.json}) for the parameter table and
 * the starter's switches, written at build time: Spring's annotation processor sees only fields of a
 * {@code @ConfigurationProperties} class, and the table is {@link Parameter} constants in other jars. Stateless.
 */
final class ConfigurationMetadata {
    private ConfigurationMetadata() {
    }

    static String json(List<Parameter<?>> parameters, String[][] switches) {
        StringBuilder json = new StringBuilder("{\n  \"groups\": [\n");
        json.append("    {\"name\": \"breakwater\", \"description\": ")
                .append(quote("Breakwater's parameters, as in web.xml; see its README's parameter table."))
                .append("}\n  ],\n  \"properties\": [\n");
        String separator = "";
        for (Parameter<?> parameter : parameters) {
            String description = "Read by " + parameter.component() + ": " + parameter.accepted() + ".";
            json.append(separator);
            entry(json, ParameterTable.key(parameter), "java.lang.String", parameter.defaultText(), description);
            separator = ",\n";
        }
        for (String[] row : switches) {
            json.append(separator);
            entry(json, row[0], row[1], row[2], row[3]);
        }
        return json.append("\n  ]\n}\n").toString();
    }

    private static void entry(StringBuilder json, String name, String type, String defaultValue, String description) {
        json.append("    {\"name\": ").append(quote(name)).append(", \"type\": ").append(quote(type))
                .append(", \"description\": ").append(quote(description));
        if (defaultValue != null && !defaultValue.isEmpty()) {
            json.append(", \"defaultValue\": ");
            json.append(type.equals("java.lang.Boolean") ? defaultValue : quote(defaultValue));
        }
        json.append("}");
    }

    private static String quote(String text) {
        return Json.string(text);
    }
}
