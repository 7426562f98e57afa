package io.breakwater.core.error;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.breakwater.core.error.internal.ClientMistake;
import jakarta.servlet.ServletException;
import org.eclipse.jetty.http.HttpException;
import org.junit.jupiter.api.Test;

class ClientMistakeTest {
    @Test
    void aBreakwaterFourHundredIsTheClientsWhereverItIsAmongTheCauses() {
        assertTrue(ClientMistake.isCause(new BreakwaterException(ErrorCode.BAD_REQUEST)));
        assertTrue(ClientMistake.isCause(new ServletException(new BreakwaterException(ErrorCode.PAYLOAD_TOO_LARGE))));
    }

    @Test
    void theContainersRejectionOfAMalformedRequestIsTheClients() {
        assertTrue(ClientMistake.isCause(new HttpException.RuntimeException(400, "Unable to parse form content")));
        assertTrue(ClientMistake.isCause(new IllegalStateException(new HttpException.RuntimeException(413))));
    }

    @Test
    void aTimeoutIsNeverTheClientsEvenAnsweredWithAFourHundred() {
        assertFalse(ClientMistake.isCause(new BreakwaterException(new ErrorCode("TIMEOUT", 408, "Request timed out"))));
        assertFalse(ClientMistake.isCause(new BreakwaterException(ErrorCode.TIMEOUT)));
    }

    @Test
    void theServersOwnFailuresAreNotTheClients() {
        assertFalse(ClientMistake.isCause(new BreakwaterException(ErrorCode.BACKEND_ERROR)));
        assertFalse(ClientMistake.isCause(new IllegalStateException("the identity server is down")));
        assertFalse(ClientMistake.isCause(new HttpException.RuntimeException(500)));
    }
}
