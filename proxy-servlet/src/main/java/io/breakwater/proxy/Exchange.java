package io.breakwater.proxy;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.timeout.Deadline;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * One client request on its way through the proxy: its body (buffered for replay, or a stream), the backends it
 * has tried and the attempt in progress. Attempts run one after another, each completing before the next starts,
 * so fields are written by one thread at a time; they are volatile for the hand-over between client threads.
 */
final class Exchange {
    static final String ATTRIBUTE = Exchange.class.getName();

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final String requestId;
    private final String clientAddress;
    private final byte[] body;
    private final InputStream streamedBody;
    private final Optional<Deadline> deadline;
    private final Set<Backend> tried = new HashSet<>();
    private volatile Backend firstBackend;
    private volatile Attempt current;

    /** One try on one backend. */
    static final class Attempt {
        final Backend backend;
        final long startNanos = System.nanoTime();
        final Duration budget;
        /** A connection to the backend was taken for the request; before that, nothing can have reached it. */
        volatile boolean connected;
        /** The backend's answer began. */
        volatile boolean begun;
        /** The answer has a failover status and is dropped for a try elsewhere. */
        volatile boolean discarded;

        Attempt(Backend backend, Duration budget) {
            this.backend = backend;
            this.budget = budget;
        }
    }

    Exchange(HttpServletRequest request, HttpServletResponse response, String requestId, String clientAddress,
            byte[] body, InputStream streamedBody) {
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

    /** The body that was too large to buffer, or {@code null}. */
    InputStream streamedBody() {
        return streamedBody;
    }

    boolean isReplayable() {
        return streamedBody == null;
    }

    synchronized Set<Backend> tried() {
        return Set.copyOf(tried);
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

    Attempt begin(Backend backend, Duration budget) {
        synchronized (this) {
            tried.add(backend);
        }
        if (firstBackend == null) {
            firstBackend = backend;
        }
        Attempt attempt = new Attempt(backend, budget);
        current = attempt;
        return attempt;
    }

    Attempt current() {
        return current;
    }

    /** Whether the answer came from another backend than the first one chosen. */
    boolean failedOver() {
        Attempt attempt = current;
        return attempt != null && attempt.backend != firstBackend;
    }
}
