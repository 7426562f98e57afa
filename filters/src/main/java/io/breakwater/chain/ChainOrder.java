package io.breakwater.chain;

import io.breakwater.core.servlet.ChainCheck;
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
 * Checks, at startup, that the filters run in priority order with the suite's head ({@code ExceptionHandlingFilter})
 * first: the order is the initializer's registrations followed by {@code web.xml}'s
 * filter-mappings in document order. A misordered chain gets one WARN line naming the order found. The filters ask
 * for it as they start, through {@link ChainCheck}; so does the initializer. Stateless and thread-safe.
 */
public final class ChainOrder implements ChainCheck {
    static final String REGISTERED_ATTRIBUTE = "io.breakwater.chain.registered";
    private static final String CHECKED_ATTRIBUTE = "io.breakwater.chain.checked";
    private static final Logger LOG = LoggerFactory.getLogger(ChainOrder.class);

    /** For {@link java.util.ServiceLoader}, which finds this check for the filters. */
    public ChainOrder() {
    }

    @Override
    public void check(ServletContext context) {
        checkOnce(context);
    }

    /** Checks the order once per web app, whichever of the initializer or a Breakwater filter asks first. */
    static void checkOnce(ServletContext context) {
        synchronized (context) {
            if (context.getAttribute(CHECKED_ATTRIBUTE) != null) {
                return;
            }
            context.setAttribute(CHECKED_ATTRIBUTE, Boolean.TRUE);
        }
        checkNow(context);
    }

    static void checkNow(ServletContext context) {
        List<Link> order = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Class<?>> registered = (List<Class<?>>) context.getAttribute(REGISTERED_ATTRIBUTE);
        if (registered != null) {
            for (Class<?> type : registered) {
                order.add(Link.of(type));
            }
        }
        try (InputStream webXml = context.getResourceAsStream("/WEB-INF/web.xml")) {
            if (webXml != null) {
                // an embedded context may have no loader of its own: then its filters are on Breakwater's
                ClassLoader loader = context.getClassLoader();
                readWebXml(webXml, order, loader != null ? loader : ChainOrder.class.getClassLoader());
            }
        } catch (Exception e) {
            LOG.debug("could not read web.xml to check the filter order", e);
        }
        String problem = problem(order);
        if (problem != null) {
            LOG.warn("Breakwater's filter chain is misordered ({}): found {}", problem,
                    String.join(" -> ", order.stream().map(Link::label).toList()));
        }
    }

    /** What is wrong with the order, or {@code null} when it is right. */
    static String problem(List<Link> order) {
        List<Link> prioritized = new ArrayList<>();
        boolean hasHead = false;
        for (Link link : order) {
            if (link.priority() != Suite.UNORDERED) {
                prioritized.add(link);
                hasHead |= link.type() == Suite.head();
            }
        }
        if (prioritized.isEmpty()) {
            return null;
        }
        String head = Suite.head().getSimpleName();
        if (!hasHead) {
            return head + " is missing";
        }
        if (order.get(0).type() != Suite.head()) {
            return head + " must be first";
        }
        for (int i = 1; i < prioritized.size(); i++) {
            if (prioritized.get(i - 1).priority() > prioritized.get(i).priority()) {
                return prioritized.get(i).label() + " must run before " + prioritized.get(i - 1).label();
            }
        }
        return null;
    }

    private static void readWebXml(InputStream in, List<Link> order, ClassLoader loader) throws Exception {
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
            if (order.stream().noneMatch(link -> link.label().equals(label))) {
                order.add(new Link(label, load(loader, className)));
            }
        }
    }

    /** The class of a filter that {@code web.xml} names, or {@code null} when it cannot be loaded. */
    private static Class<?> load(ClassLoader loader, String className) {
        if (className == null) {
            return null;
        }
        try {
            return Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
    }

    /** A filter in the chain: its name in the warning, and its class when it could be loaded. */
    record Link(String label, Class<?> type) {
        static Link of(Class<?> type) {
            return new Link(type.getSimpleName(), type);
        }

        int priority() {
            return type == null ? Suite.UNORDERED : Suite.priorityOf(type);
        }
    }
}
