package io.breakwater.chain;

import jakarta.servlet.ServletContext;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks, at startup, that the filters run in priority order with {@code ExceptionHandlingFilter} first: the
 * order is the initializer's registrations followed by {@code web.xml}'s filter-mappings in document order.
 * A misordered chain gets one WARN line naming the order found. Stateless and thread-safe.
 */
public final class ChainOrder {
    static final String REGISTERED_ATTRIBUTE = "io.breakwater.chain.registered";
    private static final String CHECKED_ATTRIBUTE = "io.breakwater.chain.checked";
    private static final Logger LOG = LoggerFactory.getLogger(ChainOrder.class);
    private static final int UNORDERED = Integer.MAX_VALUE;

    private ChainOrder() {
    }

    static int priorityOf(Class<?> type) {
        Priority priority = type.getAnnotation(Priority.class);
        return priority == null ? UNORDERED : priority.value();
    }

    /** Checks the order once per web app, whichever of the initializer or a Breakwater filter asks first. */
    public static void checkOnce(ServletContext context) {
        synchronized (context) {
            if (context.getAttribute(CHECKED_ATTRIBUTE) != null) {
                return;
            }
            context.setAttribute(CHECKED_ATTRIBUTE, Boolean.TRUE);
        }
        check(context);
    }

    static void check(ServletContext context) {
        List<String> order = new ArrayList<>();
        Map<String, Integer> priorities = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<String> registered = (List<String>) context.getAttribute(REGISTERED_ATTRIBUTE);
        ClassLoader loader = context.getClassLoader();
        if (registered != null) {
            for (String className : registered) {
                String label = className.substring(className.lastIndexOf('.') + 1);
                order.add(label);
                priorities.put(label, priorityOfClass(loader, className));
            }
        }
        try (InputStream webXml = context.getResourceAsStream("/WEB-INF/web.xml")) {
            if (webXml != null) {
                readWebXml(webXml, order, priorities, loader);
            }
        } catch (Exception e) {
            LOG.debug("could not read web.xml to check the filter order", e);
        }
        String problem = problem(order, priorities);
        if (problem != null) {
            LOG.warn("Breakwater's filter chain is misordered ({}): found {}", problem, String.join(" -> ", order));
        }
    }

    /** What is wrong with the order, or {@code null} when it is right. */
    static String problem(List<String> order, Map<String, Integer> priorities) {
        List<String> prioritized = new ArrayList<>();
        for (String name : order) {
            if (priorities.getOrDefault(name, UNORDERED) != UNORDERED) {
                prioritized.add(name);
            }
        }
        if (prioritized.isEmpty()) {
            return null;
        }
        if (prioritized.contains("ExceptionHandlingFilter") && !order.get(0).equals("ExceptionHandlingFilter")) {
            return "ExceptionHandlingFilter must be first";
        }
        if (!prioritized.contains("ExceptionHandlingFilter")) {
            return "ExceptionHandlingFilter is missing";
        }
        for (int i = 1; i < prioritized.size(); i++) {
            if (priorities.get(prioritized.get(i - 1)) > priorities.get(prioritized.get(i))) {
                return prioritized.get(i) + " must run before " + prioritized.get(i - 1);
            }
        }
        return null;
    }

    private static void readWebXml(InputStream in, List<String> order, Map<String, Integer> priorities,
            ClassLoader loader) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setNamespaceAware(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        Document doc = builder.parse(in);
        Map<String, String> classes = new HashMap<>();
        NodeList filters = doc.getElementsByTagName("filter");
        for (int i = 0; i < filters.getLength(); i++) {
            Element filter = (Element) filters.item(i);
            classes.put(text(filter, "filter-name"), text(filter, "filter-class"));
        }
        LinkedHashSet<String> mapped = new LinkedHashSet<>();
        NodeList mappings = doc.getElementsByTagName("filter-mapping");
        for (int i = 0; i < mappings.getLength(); i++) {
            mapped.add(text((Element) mappings.item(i), "filter-name"));
        }
        for (String name : mapped) {
            String className = classes.get(name);
            String label = className == null ? name : className.substring(className.lastIndexOf('.') + 1);
            if (!order.contains(label)) {
                order.add(label);
                priorities.put(label, priorityOfClass(loader, className));
            }
        }
    }

    private static int priorityOfClass(ClassLoader loader, String className) {
        if (className == null) {
            return UNORDERED;
        }
        try {
            return priorityOf(Class.forName(className, false, loader));
        } catch (ClassNotFoundException | LinkageError e) {
            return UNORDERED;
        }
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }
}
