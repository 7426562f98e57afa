package io.breakwater.core.route.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The app's route templates in their configured order: exact paths ({@code /health}), segments with variables
 * ({@code /orders/{id}}, {@code /orders/{id}/items}) and a trailing wildcard ({@code /static/*}, which also
 * matches {@code /static} itself, as a servlet mapping does). {@link #match} gives the first template that matches
 * a path inside the context. Matching runs on every request: it walks the path once per template, compares
 * segments in place and allocates nothing. Immutable and thread-safe.
 */
public final class RouteTemplates {
    /** What the {@code routes} parameter accepts, in the configuration's message grammar. */
    public static final String ACCEPTED = "a comma-separated list of path templates starting with /, made of"
            + " literal segments and {name} variables, optionally ending in /*, each listed once";
    private static final Pattern VARIABLE = Pattern.compile("\\{[A-Za-z0-9_]+\\}");
    private static final Pattern LITERAL = Pattern.compile("[^/{}*]+");
    private static final RouteTemplates NONE = new RouteTemplates(List.of());

    private final Template[] templates;

    private RouteTemplates(List<Template> templates) {
        this.templates = templates.toArray(new Template[0]);
    }

    /** No templates: every request's route is its servlet mapping. */
    public static RouteTemplates none() {
        return NONE;
    }

    /** Templates in their order of precedence; throws {@link IllegalArgumentException} naming the first bad one. */
    public static RouteTemplates of(List<String> templates) {
        List<Template> compiled = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String template : templates) {
            if (!seen.add(template)) {
                throw new IllegalArgumentException(template);
            }
            compiled.add(Template.compile(template));
        }
        return compiled.isEmpty() ? NONE : new RouteTemplates(compiled);
    }

    public boolean isEmpty() {
        return templates.length == 0;
    }

    /** The templates as written, in their order of precedence. */
    public List<String> texts() {
        List<String> texts = new ArrayList<>(templates.length);
        for (Template template : templates) {
            texts.add(template.text);
        }
        return texts;
    }

    /** The number of templates; each one is at most one route. */
    public int size() {
        return templates.length;
    }

    /** The first template matching a path inside the context ({@code servletPath + pathInfo}), or {@code null}. */
    public String match(String path) {
        for (Template template : templates) {
            if (template.matches(path)) {
                return template.text;
            }
        }
        return null;
    }

    /** One compiled template: its segments, {@code null} standing for a variable, and whether it ends in /*. */
    private static final class Template {
        final String text;
        final String[] segments;
        final boolean wildcard;

        private Template(String text, String[] segments, boolean wildcard) {
            this.text = text;
            this.segments = segments;
            this.wildcard = wildcard;
        }

        static Template compile(String text) {
            if (!text.startsWith("/")) {
                throw new IllegalArgumentException(text);
            }
            boolean wildcard = text.endsWith("/*");
            String body = wildcard ? text.substring(0, text.length() - 2) : text;
            if (body.equals("/")) {
                body = ""; // the root: "/" exactly, or "/*" for everything
            }
            List<String> segments = new ArrayList<>();
            if (!body.isEmpty()) {
                for (String segment : body.substring(1).split("/", -1)) {
                    if (VARIABLE.matcher(segment).matches()) {
                        segments.add(null);
                    } else if (LITERAL.matcher(segment).matches()) {
                        segments.add(segment);
                    } else {
                        throw new IllegalArgumentException(text);
                    }
                }
            }
            if (segments.isEmpty() && !wildcard && !text.equals("/")) {
                throw new IllegalArgumentException(text);
            }
            return new Template(text, segments.toArray(new String[0]), wildcard);
        }

        boolean matches(String path) {
            if (segments.length == 0 && !wildcard) {
                return path.equals("/");
            }
            int length = path.length();
            int at = 0;
            for (String segment : segments) {
                if (at >= length || path.charAt(at) != '/') {
                    return false;
                }
                int start = at + 1;
                int end = path.indexOf('/', start);
                if (end < 0) {
                    end = length;
                }
                if (segment == null) {
                    if (end == start) {
                        return false; // a variable stands for one non-empty segment
                    }
                } else if (end - start != segment.length() || !path.regionMatches(start, segment, 0, end - start)) {
                    return false;
                }
                at = end;
            }
            return at == length || wildcard && path.charAt(at) == '/';
        }
    }
}
