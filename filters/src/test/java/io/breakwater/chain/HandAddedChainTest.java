package io.breakwater.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.exception.ExceptionHandlingFilter;
import io.breakwater.testing.ErrorLines;
import io.breakwater.testing.TestServer;
import io.breakwater.timeout.TimeoutFilter;
import jakarta.servlet.DispatcherType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filters added by hand, in a container that runs no initializer from the app's jars: the filters themselves ask for
 * the order check as they start ({@link io.breakwater.core.servlet.ChainCheck}), once per web app.
 */
class HandAddedChainTest {
    private static final String MISORDERED_WEB_XML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\">\n"
            + "  <filter><filter-name>timeout</filter-name>"
            + "<filter-class>io.breakwater.timeout.TimeoutFilter</filter-class></filter>\n"
            + "  <filter><filter-name>errors</filter-name>"
            + "<filter-class>io.breakwater.exception.ExceptionHandlingFilter</filter-class></filter>\n"
            + "  <filter-mapping><filter-name>timeout</filter-name><url-pattern>/*</url-pattern></filter-mapping>\n"
            + "  <filter-mapping><filter-name>errors</filter-name><url-pattern>/*</url-pattern></filter-mapping>\n"
            + "</web-app>\n";

    @TempDir
    Path base;

    @Test
    void filtersStartedWithoutAnInitializerWarnOnceOfAMisorderedChain() throws Exception {
        Files.createDirectories(base.resolve("WEB-INF"));
        Files.writeString(base.resolve("WEB-INF/web.xml"), MISORDERED_WEB_XML);
        try (ErrorLines log = ErrorLines.capture()) {
            TestServer.start(context -> {
                context.setBaseResourceAsPath(base);
                context.addFilter(TimeoutFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
                context.addFilter(ExceptionHandlingFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
            }).close();
            List<String> warnings = log.lines("WARN").stream()
                    .filter(line -> line.contains(ChainOrder.class.getName())).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).endsWith("Breakwater's filter chain is misordered"
                    + " (ExceptionHandlingFilter must be first): found TimeoutFilter -> ExceptionHandlingFilter"),
                    warnings.get(0));
        }
    }

    @Test
    void filtersInPriorityOrderStartWithoutWarning() throws Exception {
        Files.createDirectories(base.resolve("WEB-INF"));
        Files.writeString(base.resolve("WEB-INF/web.xml"), MISORDERED_WEB_XML.replace(
                "  <filter-mapping><filter-name>timeout</filter-name><url-pattern>/*</url-pattern></filter-mapping>\n",
                "").replace("</web-app>",
                "  <filter-mapping><filter-name>timeout</filter-name><url-pattern>/*</url-pattern></filter-mapping>\n"
                + "</web-app>"));
        try (ErrorLines log = ErrorLines.capture()) {
            TestServer.start(context -> {
                context.setBaseResourceAsPath(base);
                context.addFilter(ExceptionHandlingFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
                context.addFilter(TimeoutFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST));
            }).close();
            assertEquals(List.of(), log.lines("WARN").stream()
                    .filter(line -> line.contains(ChainOrder.class.getName())).toList());
        }
    }
}
