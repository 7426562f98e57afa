package io.breakwater.spring.internal;

import io.breakwater.core.route.internal.RouteTemplates;
import io.breakwater.core.route.internal.Routes;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.context.ServletContextAware;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Adds Spring MVC's handler patterns (the controllers' and Actuator's endpoints') to the app's routes, so that a
 * request a handler answers has the route of its mapping ({@code /orders/{id}}) in the breaker, the timeout
 * overrides, the metrics and the status page, with no {@code routes} listed by hand. It runs once every singleton exists (the handler mappings know every handler
 * then), before the web server takes its first request: the route is known before dispatch, from the same
 * {@link RouteTemplates} the {@code routes} parameter fills, after the templates listed there. Patterns are ordered
 * most specific first, as Spring chooses between them ({@code /orders/new} before {@code /orders/{id}}); a
 * pattern a template cannot say (a regex, {@code ?}, a {@code *} inside a segment) is left out, and its requests
 * keep the servlet mapping's route. Runs once; thread-safe.
 */
public final class MvcRoutes implements SmartInitializingSingleton, ServletContextAware {
    private static final Logger LOG = LoggerFactory.getLogger(MvcRoutes.class);
    private static final Pattern REGEX_VARIABLE = Pattern.compile("\\{([A-Za-z0-9_]+):[^}]*\\}");
    private static final String DISPATCHER = "dispatcherServlet";

    private final ObjectProvider<RequestMappingInfoHandlerMapping> mappings;
    private ServletContext context;

    public MvcRoutes(ObjectProvider<RequestMappingInfoHandlerMapping> mappings) {
        this.mappings = mappings;
    }

    @Override
    public void setServletContext(ServletContext context) {
        this.context = context;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (context == null) {
            return;
        }
        List<PathPattern> patterns = new ArrayList<>();
        mappings.orderedStream().forEach(mapping -> {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                for (String pattern : info.getPatternValues()) {
                    patterns.add(PathPatternParser.defaultInstance.parse(pattern));
                }
            }
        });
        patterns.sort(PathPattern.SPECIFICITY_COMPARATOR);
        String prefix = dispatcherPrefix();
        List<String> templates = new ArrayList<>();
        for (PathPattern pattern : patterns) {
            String template = template(prefix + pattern.getPatternString());
            if (!templates.contains(template)) {
                templates.add(template);
            }
        }
        RouteTemplates now = Routes.append(context, templates);
        LOG.info("routes from Spring MVC's handler mappings: {}", now.texts());
    }

    /** The dispatcher servlet's path ({@code /api} for {@code /api/*}), empty when it is mapped at {@code /}. */
    private String dispatcherPrefix() {
        ServletRegistration dispatcher = context.getServletRegistration(DISPATCHER);
        if (dispatcher == null) {
            return "";
        }
        Collection<String> mappings = dispatcher.getMappings();
        for (String mapping : mappings) {
            if (mapping.endsWith("/*") && mapping.length() > 2) {
                return mapping.substring(0, mapping.length() - 2);
            }
        }
        return "";
    }

    /** Spring's pattern in the templates' words: a regex variable is a variable, a trailing {@code /**} is /*. */
    static String template(String pattern) {
        String template = REGEX_VARIABLE.matcher(pattern).replaceAll("{$1}");
        if (template.endsWith("/**")) {
            template = template.substring(0, template.length() - 1);
        } else if (template.matches(".*/\\{\\*[A-Za-z0-9_]+\\}")) {
            template = template.substring(0, template.lastIndexOf('/')) + "/*";
        }
        return template;
    }
}
