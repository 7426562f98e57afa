package io.breakwater.proxy;

import io.breakwater.core.time.Deadline;
import io.breakwater.core.time.TimeoutScheduler;
import io.breakwater.proxy.balance.Backend;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * One client request on its way through the proxy: its body (buffered for replay, or a stream), the backends it
 * has tried, the tries in flight and the one whose answer the client gets. Tries run one after another, except a
 * hedge, which runs beside the try it backs up: the first of them whose answer begins with an acceptable status
 * wins, and only the winner touches the client's response. Thread-safe: the bookkeeping is guarded by the
 * exchange's monitor, and a hedge reads the client's request under it, so that the winner cannot complete the
 * request meanwhile.
 */
final class Exchange {
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final String requestId;
    private final String clientAddress;
    private final byte[] body;
    private final Request.Content streamedBody;
    private final Optional<Deadline> deadline;
    private final Set<Backend> tried = new HashSet<>();
    private Backend firstBackend;
    private Attempt winner;
    /** The tries sent and not ended yet: at most two at once, a try and its hedge. */
    private final List<Attempt> inFlight = new ArrayList<>(2);
    private boolean hedged;
    private KeptAnswer kept;
    /** How the client spoiled the request, or {@code null}; the first fault found stands. */
    private ClientFault clientFault;

    /** One try on one backend. */
    static final class Attempt {
        final Backend backend;
        final long startNanos = System.nanoTime();
        final Duration budget;
        /** Sent beside a slow try rather than after a failed one. */
        final boolean hedge;
        /** A connection to the backend was taken for the request; before that, nothing can have reached it. */
        volatile boolean connected;
        /** The backend's answer began. */
        volatile boolean begun;
        /** The answer has a failover status and is dropped for a try elsewhere. */
        volatile boolean discarded;
        /** The try is over, answered or failed. */
        volatile boolean ended;
        /** Another try's answer won: this one is read to its end and dropped. */
        volatile boolean lost;
        /** The timer that sends a hedge when this try is slow; {@code null} when there is none. */
        volatile TimeoutScheduler.Entry hedgeTimer;
        /** The timeout of a try with a streamed body, armed when the body is sent; {@code null} before. */
        volatile Scheduler.Task answerTimer;

        Attempt(Backend backend, Duration budget, boolean hedge) {
            this.backend = backend;
            this.budget = budget;
            this.hedge = hedge;
        }

        void cancelHedge() {
            TimeoutScheduler.Entry timer = hedgeTimer;
            if (timer != null) {
                timer.cancel();
            }
        }

        void cancelAnswerTimer() {
            Scheduler.Task timer = answerTimer;
            if (timer != null) {
                timer.cancel();
            }
        }
    }

    /**
     * A backend's whole answer with a failover status, dropped for a try beside it that might still bring a better
     * one when no further try was allowed: the client's if that try fails too.
     */
    record KeptAnswer(Response response, byte[] body) {
    }

    /** What the end of a try means for the exchange. */
    enum Ending {
        /** Its answer is the client's. */
        WON,
        /** Another try's answer is the client's; this one leaves no trace on the client. */
        LOST,
        /** It failed while another try is still in flight: that one decides. */
        OTHERS_PENDING,
        /** It failed and no try is left in flight: retry or answer the failure. */
        LAST
    }

    /** What giving up a broken answer's win left. */
    enum Reopened {
        /** No try is in flight: a next one may answer. */
        ALONE,
        /** Tries in flight, none of whose answers has begun, may answer, and a next one beside them. */
        OTHERS_PENDING,
        /** The win stands: the broken answer is the client's. */
        REFUSED
    }

    Exchange(HttpServletRequest request, HttpServletResponse response, String requestId, String clientAddress,
            byte[] body, Request.Content streamedBody) {
        this.request = request;
        this.response = response;
        this.requestId = requestId;
        this.clientAddress = clientAddress;
        this.body = body;
        this.streamedBody = streamedBody;
        this.deadline = Deadline.of(request);
    }

    HttpServletRequest request() {
        return request;
    }

    HttpServletResponse response() {
        return response;
    }

    String requestId() {
        return requestId;
    }

    String clientAddress() {
        return clientAddress;
    }

    /** The buffered body, or {@code null} when there is none or it is streamed. */
    byte[] body() {
        return body;
    }

    /** The body that was too large to buffer, streamed as the client sends it, or {@code null}. */
    Request.Content streamedBody() {
        return streamedBody;
    }

    /**
     * What the hash strategy hashes for {@code hashKey}: the named header's or cookie's value, else the client's
     * address.
     */
    String hashKey(String key) {
        String value = null;
        if (key.startsWith("header:")) {
            value = request.getHeader(key.substring("header:".length()));
        } else if (key.startsWith("cookie:") && request.getCookies() != null) {
            String cookieName = key.substring("cookie:".length());
            for (Cookie cookie : request.getCookies()) {
                if (cookie.getName().equals(cookieName)) {
                    value = cookie.getValue();
                }
            }
        }
        return value != null ? value : clientAddress;
    }

    boolean isReplayable() {
        return streamedBody == null;
    }

    /** A copy of the backends tried; before the first try, no copy (Set.copyOf builds a HashSet even then). */
    synchronized Set<Backend> tried() {
        return tried.isEmpty() ? Set.of() : Set.copyOf(tried);
    }

    synchronized int attempts() {
        return tried.size();
    }

    boolean isExpired() {
        return deadline.map(Deadline::isExpired).orElse(false);
    }

    /**
     * The time this try may take: the per-try timeout, or less when the request's deadline is nearer; zero when
     * less than a millisecond is left, because HttpClient reads a timeout of 0 ms as "no timeout at all".
     */
    Duration budget(Duration tryTimeout) {
        return budget(tryTimeout, deadline);
    }

    static Duration budget(Duration tryTimeout, Optional<Deadline> deadline) {
        if (deadline.isEmpty()) {
            return tryTimeout;
        }
        Duration remaining = deadline.get().remaining();
        if (remaining.toMillis() < 1) {
            return Duration.ZERO;
        }
        return remaining.compareTo(tryTimeout) < 0 ? remaining : tryTimeout;
    }

    synchronized Attempt begin(Backend backend, Duration budget, boolean hedge) {
        tried.add(backend);
        if (firstBackend == null) {
            firstBackend = backend;
        }
        hedged |= hedge;
        Attempt attempt = new Attempt(backend, budget, hedge);
        inFlight.add(attempt);
        return attempt;
    }

    /** Whether a hedge may still back up a try: none was sent yet, no answer won, a try is in flight. */
    synchronized boolean mayHedge() {
        return !hedged && winner == null && !inFlight.isEmpty();
    }

    /** Makes this try's answer the client's, unless another try's answer won first. */
    synchronized boolean win(Attempt attempt) {
        if (winner == null) {
            winner = attempt;
        }
        return winner == attempt;
    }

    /** Whether another try's answer is the client's. */
    synchronized boolean lostTo(Attempt attempt) {
        return winner != null && winner != attempt;
    }

    /**
     * Drops this try's answer, which has a failover status, when another try will follow ({@code retry}) or when
     * another try in flight may still bring an answer; no answer won yet either way. Of two such answers that
     * begin together, one is dropped and the other kept, so that the client gets a backend's own answer rather
     * than none.
     */
    synchronized boolean discard(Attempt attempt, boolean retry) {
        if (winner != null || !(retry || othersMayAnswer(attempt))) {
            return false;
        }
        attempt.discarded = true;
        return true;
    }

    private boolean othersMayAnswer(Attempt attempt) {
        for (Attempt other : inFlight) {
            if (other != attempt && !other.discarded) {
                return true;
            }
        }
        return false;
    }

    /**
     * Gives up the won place of a try whose answer broke before any byte of it reached the client, so that another
     * try can win: a try in flight whose answer has not begun yet, or a next one. Refused while a try in flight has
     * begun its answer: that answer lost, or was dropped for its status, and is being thrown away already.
     */
    synchronized Reopened reopen(Attempt attempt) {
        if (winner != attempt) {
            return Reopened.REFUSED;
        }
        for (Attempt other : inFlight) {
            if (other.begun) {
                return Reopened.REFUSED;
            }
        }
        winner = null;
        return inFlight.isEmpty() ? Reopened.ALONE : Reopened.OTHERS_PENDING;
    }

    /** Keeps a dropped answer for the client, in case no other try brings one. */
    synchronized void keep(KeptAnswer answer) {
        kept = answer;
    }

    /** The answer kept by {@link #keep}, or {@code null}. */
    synchronized KeptAnswer kept() {
        return kept;
    }

    /** Whether a try's answer is the client's. */
    synchronized boolean won() {
        return winner != null;
    }

    synchronized Ending end(Attempt attempt) {
        inFlight.remove(attempt);
        if (winner == attempt) {
            return Ending.WON;
        }
        if (winner != null) {
            return Ending.LOST;
        }
        return inFlight.isEmpty() ? Ending.LAST : Ending.OTHERS_PENDING;
    }

    /** Records the client's fault; {@code false} when one was recorded already (it is counted once). */
    synchronized boolean clientFault(ClientFault fault) {
        if (clientFault != null) {
            return false;
        }
        clientFault = fault;
        return true;
    }

    /** The client's fault, or {@code null} when it did nothing wrong (so far). */
    synchronized ClientFault clientFault() {
        return clientFault;
    }

    /** Whether the answer came from another backend than the first one chosen. */
    synchronized boolean failedOver() {
        return winner != null && winner.backend != firstBackend;
    }
}
