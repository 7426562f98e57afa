package io.breakwater.core.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.metric.internal.Label;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.MetricFamily;
import io.breakwater.core.metric.internal.MetricId;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricCatalogTest {
    private static final MetricFamily RESPONSES = MetricFamily.counter("test_responses", "Answers.",
            "test.{route}.responses.{class}");
    private static final MetricFamily OTHER =
            MetricFamily.counter("test_other", "Other.", "test.{route}.responses.{class}");

    @Test
    void aFigureIsItsFamilyAndLabelsAndItsRegistryKeyIsMadeFromThem() {
        MetricCatalog catalog = MetricCatalog.of(new MetricRegistry());
        Counter counter = catalog.counter(RESPONSES, "/orders/{id}", "5xx");
        counter.inc();

        MetricId id = catalog.idOf("test./orders/{id}.responses.5xx");
        assertSame(RESPONSES, id.family());
        assertEquals("/orders/{id}", id.label(Label.ROUTE));
        assertEquals("5xx", id.label(Label.STATUS_CLASS));
        assertEquals(List.of(Label.ROUTE, Label.STATUS_CLASS), RESPONSES.labels());
        assertSame(counter, catalog.registry().counter("test./orders/{id}.responses.5xx"));
        assertEquals("test", RESPONSES.group());
    }

    @Test
    void theAppsOwnMetricsAreNotInTheCatalog() {
        MetricRegistry registry = new MetricRegistry();
        registry.counter("app.orders.placed");
        assertNull(MetricCatalog.of(registry).idOf("app.orders.placed"));
    }

    @Test
    void removingAFigureTakesItOutOfTheRegistryAndTheCatalog() {
        MetricCatalog catalog = MetricCatalog.of(new MetricRegistry());
        catalog.counter(RESPONSES, "/a", "2xx");
        catalog.remove(RESPONSES, "/a", "2xx");
        assertNull(catalog.idOf("test./a.responses.2xx"));
        assertEquals(0, catalog.registry().getMetrics().size());
    }

    @Test
    void oneKeyCannotBeTwoFamiliesNorTakeTheWrongNumberOfLabels() {
        MetricCatalog catalog = MetricCatalog.of(new MetricRegistry());
        catalog.counter(RESPONSES, "/a", "2xx");
        assertEquals("registry key test./a.responses.2xx is both test_responses and test_other",
                assertThrows(IllegalStateException.class, () -> catalog.counter(OTHER, "/a", "2xx")).getMessage());
        assertEquals("test_responses takes 2 label values, not 1",
                assertThrows(IllegalArgumentException.class, () -> RESPONSES.id("/a")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> MetricFamily.counter("bad_total", "h", "x"));
        assertThrows(IllegalArgumentException.class, () -> MetricFamily.counter("Bad", "h", "x"));
        assertThrows(IllegalArgumentException.class, () -> MetricFamily.counter("ok", "h", "x.{nolabel}"));
    }
}
