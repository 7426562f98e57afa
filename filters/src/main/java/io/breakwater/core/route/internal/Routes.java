package io.breakwater.core.route.internal;

import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.config.internal.Parsers;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The route of a request: the first of the app's {@link #ROUTES} templates that matches the path inside the context
 * ({@code /orders/{id}}), else the pattern of the servlet mapping it matched ({@code /orders/*}); never the raw URI,
 * so that whatever clients send, the number of routes stays bounded. The route is worked out once per request and
 * kept in request attribute {@value #ATTRIBUTE}, where the app can read it too. Stateless and thread-safe.
 */
public final class Routes {
    /** The route of a request that matched no template and no servlet mapping of the app. */
    public static final String UNMATCHED = "unmatched";
    /** The request attribute holding the request's route, once a Breakwater component asked for it. */
    public static final String ATTRIBUTE = "io.breakwater.route";
    /** The request attribute holding the count of the request's answer on its route, while metrics count it. */
    public static final String ANSWER_ATTRIBUTE = "io.breakwater.route.answer";

    /**
     * The app's route templates, in order: the first that matches names the route for the breaker, the timeout
     * overrides, the metrics, the status page and the logs.
     */
    public static final Parameter<RouteTemplates> ROUTES = Parameter.of("routes", "Routes", "",
            Parsers.parser(RouteTemplates.ACCEPTED, text -> RouteTemplates.of(Parsers.list().parse(text))));

    private static final String TEMPLATES_ATTRIBUTE = "io.breakwater.route.templates";

    private Routes() {
    }

    /**
     * Reads the app's templates once, from the suite-wide sources, so that a bad one stops the app when the first
     * Breakwater component starts; throws {@link io.breakwater.core.config.ConfigException}.
     */
    public static RouteTemplates configure(ServletContext context) {
        synchronized (context) {
            Object known = context.getAttribute(TEMPLATES_ATTRIBUTE);
            if (known instanceof RouteTemplates) {
                return (RouteTemplates) known;
            }
            RouteTemplates templates = ConfigReader.of(context).get(ROUTES);
            context.setAttribute(TEMPLATES_ATTRIBUTE, templates);
            return templates;
        }
    }

    /**
     * Adds templates after the app's own: routes a framework knows (a handler's mapping pattern) once it knows
     * them, before the app takes requests. A template already listed keeps its place; one that is not a valid
     * template is left out (its requests keep their servlet mapping). Returns the templates now in force.
     */
    public static RouteTemplates append(ServletContext context, List<String> more) {
        synchronized (context) {
            List<String> texts = new ArrayList<>(configure(context).texts());
            for (String template : more) {
                if (!texts.contains(template) && isTemplate(template)) {
                    texts.add(template);
                }
            }
            RouteTemplates templates = RouteTemplates.of(texts);
            context.setAttribute(TEMPLATES_ATTRIBUTE, templates);
            return templates;
        }
    }

    private static boolean isTemplate(String template) {
        try {
            RouteTemplates.of(List.of(template));
            return true;
        } catch (IllegalArgumentException notATemplate) {
            return false;
        }
    }

    public static String of(HttpServletRequest request) {
        Object known = request.getAttribute(ATTRIBUTE);
        if (known instanceof String) {
            return (String) known;
        }
        String route = resolve(request);
        request.setAttribute(ATTRIBUTE, route);
        return route;
    }

    private static String resolve(HttpServletRequest request) {
        Object templates = request.getServletContext().getAttribute(TEMPLATES_ATTRIBUTE);
        if (templates instanceof RouteTemplates && !((RouteTemplates) templates).isEmpty()) {
            String template = ((RouteTemplates) templates).match(pathOf(request));
            if (template != null) {
                return template;
            }
        }
        HttpServletMapping mapping = request.getHttpServletMapping();
        if (mapping == null || mapping.getMappingMatch() == null || mapping.getPattern() == null) {
            return UNMATCHED;
        }
        String servletName = mapping.getServletName();
        if (servletName != null && servletName.contains("Default404Servlet")) {
            return UNMATCHED;
        }
        return mapping.getPattern().isEmpty() ? "/" : mapping.getPattern();
    }

    /** The path inside the context: {@code servletPath + pathInfo}, decoded, as servlet mappings see it. */
    public static String pathOf(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        if (pathInfo == null) {
            return servletPath;
        }
        return servletPath.isEmpty() ? pathInfo : servletPath + pathInfo;
    }
}
