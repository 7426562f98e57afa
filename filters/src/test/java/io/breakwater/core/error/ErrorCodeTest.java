package io.breakwater.core.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    @Test
    void forStatusGivesTheContractsCodesForItsStatuses() {
        assertSame(ErrorCode.BAD_REQUEST, ErrorCode.forStatus(400));
        assertSame(ErrorCode.REQUEST_TIMEOUT, ErrorCode.forStatus(408));
        assertSame(ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.forStatus(413));
        assertSame(ErrorCode.INTERNAL_ERROR, ErrorCode.forStatus(500));
        assertSame(ErrorCode.INTERNAL_ERROR, ErrorCode.forStatus(200));
        assertSame(ErrorCode.INTERNAL_ERROR, ErrorCode.forStatus(600));
    }

    @Test
    void forStatusMakesOtherCodesOfTheReasonPhrase() {
        ErrorCode notFound = ErrorCode.forStatus(404);
        assertEquals("NOT_FOUND", notFound.code());
        assertEquals("Not found", notFound.error());
        ErrorCode version = ErrorCode.forStatus(505);
        assertEquals("HTTP_VERSION_NOT_SUPPORTED", version.code());
        assertEquals(505, version.status());
        assertEquals("Http version not supported", version.error());
        assertEquals("CLIENT_ERROR", ErrorCode.forStatus(499).code());
    }
}
