package io.breakwater.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatusSetTest {

    @Test
    void holdsTheConfiguredStatusesInTheirOrderAndNothingElse() {
        Set<Integer> statuses = Parsers.statuses().parse("504, 502,503,502");
        assertEquals(List.of(504, 502, 503), List.copyOf(statuses));
        assertEquals(Set.of(502, 503, 504), statuses);
        assertTrue(statuses.contains(503));
        assertFalse(statuses.contains(500));
        assertFalse(statuses.contains(99));
        assertFalse(statuses.contains(600));
        assertFalse(statuses.contains("503"));
        assertEquals("[504, 502, 503]", statuses.toString());
    }

    @Test
    void refusesToBeChanged() {
        Set<Integer> statuses = Parsers.statuses().parse("503");
        assertThrows(UnsupportedOperationException.class, () -> statuses.add(500));
        assertThrows(UnsupportedOperationException.class,
                () -> statuses.remove(503));
    }
}
