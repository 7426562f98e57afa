package io.breakwater.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.testing.TestServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of a try and its hedge, on an exchange made of a real request and response (a servlet of a real
 * server runs the steps and answers what they returned): the order in which two answers begin is set here, where
 * through a proxy it is a race of two client threads.
 */
class ExchangeTest {
    private static final Duration BUDGET = Duration.ofSeconds(1);

    @Test
    void ofTwoFailoverAnswersThatBeginTogetherWithNoTryLeftOneIsKept() throws Exception {
        // both tries in flight, both answers 503, no further try allowed: dropping both would leave no answer
        assertEquals("discard a: true, discard b: false, b wins: true, a ends: LOST, b ends: WON",
                run((exchange, steps) -> {
                    Exchange.Attempt a = exchange.begin(backend(1), BUDGET, false);
                    Exchange.Attempt b = exchange.begin(backend(2), BUDGET, true);
                    steps.add("discard a: " + exchange.discard(a, false));
                    steps.add("discard b: " + exchange.discard(b, false));
                    steps.add("b wins: " + exchange.win(b));
                    steps.add("a ends: " + exchange.end(a));
                    steps.add("b ends: " + exchange.end(b));
                    return steps;
                }));
    }

    @Test
    void aFailoverAnswerIsDroppedWhileTheOtherTryMayStillAnswer() throws Exception {
        assertEquals("discard a: true, b wins: true, a ends: LOST, b ends: WON",
                run((exchange, steps) -> {
                    Exchange.Attempt a = exchange.begin(backend(1), BUDGET, false);
                    Exchange.Attempt b = exchange.begin(backend(2), BUDGET, true);
                    steps.add("discard a: " + exchange.discard(a, false));
                    steps.add("b wins: " + exchange.win(b));
                    steps.add("a ends: " + exchange.end(a));
                    steps.add("b ends: " + exchange.end(b));
                    return steps;
                }));
    }

    @Test
    void aLoneTrysFailoverAnswerIsKeptUnlessAnotherTryWillFollow() throws Exception {
        assertEquals("kept: false, dropped for a retry: true, ends: LAST",
                run((exchange, steps) -> {
                    Exchange.Attempt a = exchange.begin(backend(1), BUDGET, false);
                    steps.add("kept: " + exchange.discard(a, false));
                    steps.add("dropped for a retry: " + exchange.discard(a, true));
                    steps.add("ends: " + exchange.end(a));
                    return steps;
                }));
    }

    @Test
    void aBrokenWinnersPlaceGoesToATryInFlightWhoseAnswerHasNotBegun() throws Exception {
        assertEquals("b wins: true, b ends: WON, reopen: OTHERS_PENDING, won: false, a lost: false, a wins: true",
                run((exchange, steps) -> {
                    Exchange.Attempt a = exchange.begin(backend(1), BUDGET, false);
                    Exchange.Attempt b = exchange.begin(backend(2), BUDGET, true);
                    b.begun = true;
                    steps.add("b wins: " + exchange.win(b));
                    steps.add("b ends: " + exchange.end(b));
                    steps.add("reopen: " + exchange.reopen(b));
                    steps.add("won: " + exchange.won());
                    a.begun = true;
                    steps.add("a lost: " + exchange.lostTo(a));
                    steps.add("a wins: " + exchange.win(a));
                    return steps;
                }));
    }

    @Test
    void aBrokenWinnerKeepsItsPlaceWhenTheAnswerInFlightBeganAndLost() throws Exception {
        assertEquals("b wins: true, a lost: true, b ends: WON, reopen: REFUSED, won: true",
                run((exchange, steps) -> {
                    Exchange.Attempt a = exchange.begin(backend(1), BUDGET, false);
                    Exchange.Attempt b = exchange.begin(backend(2), BUDGET, true);
                    b.begun = true;
                    steps.add("b wins: " + exchange.win(b));
                    a.begun = true;
                    steps.add("a lost: " + exchange.lostTo(a));
                    steps.add("b ends: " + exchange.end(b));
                    steps.add("reopen: " + exchange.reopen(b));
                    steps.add("won: " + exchange.won());
                    return steps;
                }));
    }

    @Test
    void aLoneBrokenWinnersPlaceIsForTheNextTry() throws Exception {
        assertEquals("a wins: true, a ends: WON, reopen: ALONE, reopen again: REFUSED",
                run((exchange, steps) -> {
                    Exchange.Attempt a = exchange.begin(backend(1), BUDGET, false);
                    a.begun = true;
                    steps.add("a wins: " + exchange.win(a));
                    steps.add("a ends: " + exchange.end(a));
                    steps.add("reopen: " + exchange.reopen(a));
                    steps.add("reopen again: " + exchange.reopen(a));
                    return steps;
                }));
    }

    @Test
    void noAnswerIsDroppedOnceAnotherWon() throws Exception {
        assertEquals("b wins: true, discard a: false, a lost: true, a ends: LOST",
                run((exchange, steps) -> {
                    Exchange.Attempt a = exchange.begin(backend(1), BUDGET, false);
                    Exchange.Attempt b = exchange.begin(backend(2), BUDGET, true);
                    steps.add("b wins: " + exchange.win(b));
                    steps.add("discard a: " + exchange.discard(a, true));
                    steps.add("a lost: " + exchange.lostTo(a));
                    steps.add("a ends: " + exchange.end(a));
                    return steps;
                }));
    }

    private static Backend backend(int n) {
        return new Backend(URI.create("http://127.0.0.1:" + (10_000 + n)), 1, Clock.systemUTC());
    }

    /** Runs the steps inside a request of a real server, on an exchange of that request; answers their record. */
    private static String run(BiFunction<Exchange, List<String>, List<String>> steps) throws Exception {
        HttpServlet servlet = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                Exchange exchange = new Exchange(request, response, "id", "127.0.0.1", null, null);
                response.getWriter().write(String.join(", ", steps.apply(exchange, new ArrayList<>())));
            }
        };
        try (TestServer server = TestServer.start(context -> context.addServlet(new ServletHolder(servlet), "/"))) {
            return server.get("/").body();
        }
    }
}
