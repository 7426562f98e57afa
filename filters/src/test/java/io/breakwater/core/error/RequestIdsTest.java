package io.breakwater.core.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RequestIdsTest {
    @Test
    void forCallerKeepsASafeIdAndReplacesAnyOther() {
        assertEquals("abc-123_X.y", RequestIds.forCaller("abc-123_X.y"));
        assertEquals("y".repeat(128), RequestIds.forCaller("y".repeat(128)));
        for (String unsafe : new String[] {null, "", "<script>", "a b", "x".repeat(129)}) {
            String id = RequestIds.forCaller(unsafe);
            assertTrue(id.matches("[0-9a-f]{16}"), id);
            assertNotEquals(unsafe, id);
        }
    }
}
