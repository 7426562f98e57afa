package io.breakwater.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTemplatesTest {
    private final RouteTemplates templates = RouteTemplates.of(
            List.of("/orders/{id}", "/orders/{id}/items", "/orders/new", "/static/*", "/health", "/"));

    @Test
    void variableStandsForExactlyOneNonEmptySegment() {
        assertEquals("/orders/{id}", templates.match("/orders/42"));
        assertEquals("/orders/{id}/items", templates.match("/orders/42/items"));
        assertNull(templates.match("/orders/42/items/7"));
        assertNull(templates.match("/orders//items"));
        assertNull(templates.match("/orders/"));
        assertNull(templates.match("/orders"));
        assertNull(templates.match("/orders/42/"));
    }

    @Test
    void firstMatchingTemplateWinsInConfiguredOrder() {
        assertEquals("/orders/{id}", templates.match("/orders/new"));
        assertEquals("/orders/new", RouteTemplates.of(List.of("/orders/new", "/orders/{id}")).match("/orders/new"));
    }

    @Test
    void wildcardMatchesItsPrefixAndEverythingBelowLikeAServletMapping() {
        assertEquals("/static/*", templates.match("/static"));
        assertEquals("/static/*", templates.match("/static/"));
        assertEquals("/static/*", templates.match("/static/css/site.css"));
        assertNull(templates.match("/staticky"));
        assertEquals("/*", RouteTemplates.of(List.of("/*")).match("/anything/at/all"));
    }

    @Test
    void exactPathsAndTheRootMatchOnlyThemselves() {
        assertEquals("/health", templates.match("/health"));
        assertNull(templates.match("/health/deep"));
        assertEquals("/", templates.match("/"));
        assertNull(templates.match(""));
        assertNull(templates.match("/other"));
    }

    @Test
    void noTemplatesMatchNothing() {
        RouteTemplates none = Routes.ROUTES.parse("");
        assertTrue(none.isEmpty());
        assertNull(none.match("/orders/1"));
    }

    @Test
    void badTemplatesAreRejectedWithOneMessageNamingTheValue() {
        for (String bad : List.of("orders/{id}", "/orders/{id", "/orders/{}", "/orders/*/items", "/orders//x",
                "/orders/{id}x", "/a/*,/a/*", "/a,,/b", "*.css")) {
            assertEquals("routes must be " + RouteTemplates.ACCEPTED + ", but was \"" + bad + "\"",
                    assertThrows(ConfigException.class, () -> Routes.ROUTES.parse(bad)).getMessage(), bad);
        }
        assertEquals(List.of(2), List.of(Routes.ROUTES.parse(" /a/{x} , /b ").size()));
    }
}
