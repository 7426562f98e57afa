package io.breakwater.proxy.internal;

import io.breakwater.core.time.Deadline;
import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.internal.Attempt.Phase;
import io.breakwater.proxy.internal.Attempt.Stage;
import io.breakwater.proxy.internal.FailoverPolicy.Failure;
import io.breakwater.proxy.internal.FaultAttribution.Party;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The tries of one exchange and what each event about them decides: which try's answer the client gets, when
 * another try follows or runs beside, which answer is kept for later, and which error the client gets. It knows no
 * HTTP library: the servlet tells it the events (a try {@link #start started}, its answer {@link #answerBegan began},
 * it {@link #ended} well or failed or timed out, a {@link #hedgeDue hedge is due}, the {@link #clientFault client}
 * spoiled the request or went away) and carries out the {@link Move moves} it returns.
 *
 * <p>A try moves through these stages ({@link Stage}):
 * <pre>
 * SENT -> PASSING    its answer began, and is the first acceptable one: the client's (the exchange is WON)
 * SENT -> LOSING     its answer began after another try's won: read to its end and dropped
 * SENT -> DROPPED    its answer has a failover status and a next try may follow: dropped
 * SENT -> KEEPING    its answer has a failover status, no next try may follow, a try beside it may still answer:
 *                    read and kept, the client's if that try fails too
 * SENT -> REFUSED    it switched protocols unasked: aborted, the backend's failure
 * any  -> ENDED      it ended, answered or failed; later events about it are ignored
 * </pre>
 * The exchange is OPEN until one answer wins, then WON; a winning answer that broke before any byte of it reached
 * the client reopens it when no other answer began, so that another try may still win.
 *
 * <p>Thread-safe: every move is made under the exchange's one lock, its monitor, because a decision reads several
 * things together (the winner, the tries in flight and their stages, the kept answer, the client's fault) that a
 * compare-and-set per field could not keep consistent. It is uncontended except when a try and its hedge race,
 * and it is never held across I/O: a move is returned and carried out after the lock is released. Two exceptions
 * are on purpose: the servlet builds a try beside others (a hedge, a try after a broken answer) from the client's
 * request while it holds this monitor, so that no answer wins and completes the request meanwhile; and a broken
 * winner's answer is dropped from the response's buffer under it ({@link Client#dropAnswer}), so that no other
 * answer begins between the break and the reopening.
 *
 * @param <K> the answer a {@code KEEPING} try brings, opaque here
 */
public final class Attempts<K> {
    /** What the servlet reports of the client's side. */
    public interface Client {
        /** Whether bytes of an answer reached the client already: no other answer can follow them. */
        boolean committed();

        /**
         * Drops the part of a broken answer still in the client's response buffer, with its head; {@code false}
         * when bytes of it reached the client already, and it cannot be replaced.
         */
        boolean dropAnswer();
    }

    private final TryRules rules;
    private final Client client;
    private final String hashKey;
    private final boolean replayable;
    private final boolean idempotent;
    private final Optional<Deadline> deadline;
    private final Set<Backend> tried = new HashSet<>();
    /** The tries sent and not ended yet: at most two at once, a try and its hedge or a try beside it. */
    private final List<Attempt> inFlight = new ArrayList<>(2);
    private Backend firstBackend;
    private Attempt winner;
    /** Whether the winner's answer came whole before its request was sent whole (an upload answered early). */
    private boolean answeredEarly;
    private boolean hedged;
    private K kept;
    /** How the client spoiled the request, or {@code null}; the first fault found stands. */
    private ClientFault clientFault;
    /** Events that came after their try's decision and were ignored. */
    private int late;

    /**
     * @param hashKey what the hash strategy keys on for this request
     * @param replayable whether the body can be sent again (buffered or none)
     * @param idempotent whether the method may take effect twice without harm (RFC 9110 §9.2.2)
     */
    Attempts(TryRules rules, Client client, String hashKey, boolean replayable, boolean idempotent,
            Optional<Deadline> deadline) {
        this.rules = rules;
        this.client = client;
        this.hashKey = hashKey;
        this.replayable = replayable;
        this.idempotent = idempotent;
        this.deadline = deadline;
    }

    /** The backend for a next try, none tried yet; {@code null} when none is left. */
    public synchronized Backend choose() {
        List<Backend> candidates = rules.pool.candidates(tried);
        return candidates.isEmpty() ? null : rules.strategy.choose(candidates, hashKey);
    }

    /** Try started: the first, or a next after a failed one. {@code null} when the request has no time left. */
    public synchronized Attempt start(Backend backend) {
        Duration budget = budget();
        return budget.isZero() ? null : begin(backend, budget, false);
    }

    /** Whether a try, not itself a hedge, gets a hedge timer: a second copy of the request could do no harm. */
    public boolean hedgeable(Attempt attempt) {
        return !attempt.hedge && rules.hedging.enabled() && replayable && idempotent;
    }

    /** A try's answer began with {@code status}: whose it is. */
    public Move.Answer answerBegan(Attempt attempt, int status) {
        attempt.cancelHedge();
        synchronized (this) {
            if (attempt.stage != Stage.SENT) {
                late++;
                return Move.Answer.LOSE;
            }
            if (winner != null) {
                return move(attempt, Stage.LOSING, Move.Answer.LOSE);
            }
            if (status == 101) {
                // The proxy never asks to upgrade (Upgrade is hop-by-hop and not passed on): a switch it did not
                // ask for is a broken backend, and passed on it would leave the client's connection in two minds.
                return move(attempt, Stage.REFUSED, Move.Answer.REFUSE_UPGRADE);
            }
            if (rules.failoverStatuses.holds(status)) {
                boolean retry = rules.failover.mayRetry(this, Failure.STATUS);
                // Dropped when a next try follows, or kept while another try in flight may still bring an answer.
                // Of two such answers that begin together, one is kept and the other passed on, so that the
                // client gets a backend's own answer rather than none.
                if (retry) {
                    return move(attempt, Stage.DROPPED, Move.Answer.DROP);
                }
                if (othersMayAnswer(attempt)) {
                    return move(attempt, Stage.KEEPING, Move.Answer.KEEP);
                }
            }
            winner = attempt;
            return move(attempt, Stage.PASSING, attempt.hedge ? Move.Answer.PASS_HEDGE : Move.Answer.PASS);
        }
    }

    private Move.Answer move(Attempt attempt, Stage next, Move.Answer answer) {
        if (!attempt.stage.leadsTo(next)) {
            throw new IllegalStateException(attempt.stage + " cannot lead to " + next);
        }
        attempt.stage = next;
        return answer;
    }

    private boolean othersMayAnswer(Attempt attempt) {
        for (Attempt other : inFlight) {
            if (other != attempt && !other.stage.setAside()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A try ended: answered ({@code failure} {@code null}) or failed, timed out included. {@code keptAnswer} is
     * the whole answer of a {@code KEEPING} try, or {@code null}; {@code nanos} how long the try took. Counts the
     * try for or against its backend, by whose fault it ended, and decides what follows.
     */
    public Move ended(Attempt attempt, Throwable failure, int status, K keptAnswer, long nanos) {
        attempt.cancelHedge();
        Party blamed;
        Move next;
        synchronized (this) {
            if (attempt.stage == Stage.ENDED) {
                late++;
                return Move.NONE;
            }
            boolean setAside = attempt.stage.setAside();
            attempt.stage = Stage.ENDED;
            inFlight.remove(attempt);
            if (keptAnswer != null && failure == null) {
                kept = keptAnswer;
            }
            blamed = rules.attribution.blame(clientFault, attempt.phase(), failure, status,
                    failure != null && isExpired());
            next = decide(attempt, setAside, blamed, failure);
        }
        if (attempt.hedge) {
            rules.hedging.release();
        }
        switch (blamed) {
            case BACKEND -> rules.pool.failed(attempt.backend);
            case NONE -> attempt.backend.succeeded(nanos);
            case CLIENT, PROXY, DEADLINE -> {
                // neither: the backend did nothing wrong, nor was it shown to be well
            }
        }
        return next;
    }

    private Move decide(Attempt attempt, boolean setAside, Party blamed, Throwable failure) {
        if (winner == attempt) {
            if (blamed == Party.CLIENT && failure != null && !client.committed()) {
                return Move.ANSWER_CLIENT_FAULT;
            }
            if (failure == null) {
                return winner.backend != firstBackend ? Move.COMPLETE_AFTER_FAILOVER : Move.COMPLETE;
            }
            // Part of the answer is with the client: it cannot be replaced by another backend's. Otherwise it
            // broke while still in the response's buffer: dropped now, under this lock, so that an answer of a try
            // in flight that begins meanwhile finds the exchange reopened, not lost to the broken one.
            return client.dropAnswer() ? reopen(attempt, failure) : Move.COMPLETE;
        }
        if (winner != null || !inFlight.isEmpty()) {
            return Move.NONE; // the client's answer is another try's
        }
        if (blamed == Party.CLIENT) {
            return Move.ANSWER_CLIENT_FAULT; // the client's request is spoiled, or nobody is left to answer
        }
        return afterFailure(attempt, setAside, FailoverPolicy.classify(attempt, failure), failure);
    }

    /** After the last try in flight failed with no answer won: the next try, or the failure's answer. */
    private Move afterFailure(Attempt attempt, boolean setAside, Failure kind, Throwable failure) {
        Phase phase = attempt.phase();
        // An answer set aside is gone: the next try is taken whenever one is left, as when it was set aside.
        boolean retry = setAside ? tried.size() < rules.maxAttempts : rules.failover.mayRetry(this, kind);
        if (retry) {
            Backend next = choose();
            if (next != null) {
                Attempt started = start(next);
                return started != null ? Move.retry(started) : Move.FAIL_TIMEOUT;
            }
        }
        if (client.committed()) {
            return Move.ABORT; // too late for an error body: the client sees a broken answer
        }
        if (kept != null) {
            return Move.ANSWER_KEPT;
        }
        if (phase == Phase.REJECTED) {
            return Move.OVERLOADED; // the proxy's own overload: the backend's queue in it was full
        }
        boolean timeout = kind == Failure.TIMEOUT || FailoverPolicy.isTimeout(failure);
        if (phase == Phase.QUEUED) {
            return timeout ? Move.REFUSED_TIMEOUT : Move.REFUSED_ERROR; // no connection free in time
        }
        return timeout ? Move.FAIL_TIMEOUT : Move.FAIL_ERROR;
    }

    /**
     * The broken answer of the try that won was dropped: another try may win, one in flight whose answer has not
     * begun yet, or a next one. The win stands, and the broken answer is the client's, while a try in flight has
     * begun its answer: that one lost, or was set aside, already.
     */
    private Move reopen(Attempt attempt, Throwable failure) {
        for (Attempt other : inFlight) {
            if (other.stage != Stage.SENT) {
                return FailoverPolicy.isTimeout(failure) ? Move.FAIL_TIMEOUT : Move.FAIL_ERROR;
            }
        }
        winner = null;
        return inFlight.isEmpty() ? afterFailure(attempt, false, Failure.RESET, failure) : Move.TRY_BESIDE;
    }

    /**
     * After {@link Move.Kind#TRY_BESIDE}: one more try beside those in flight, none of them answering yet, when a
     * retry is allowed; the first answer to begin wins, as with a hedge. The servlet calls it holding this
     * monitor, and builds the try's request before letting go.
     */
    public synchronized Move besideDue() {
        Duration budget = budget();
        if (winner != null || budget.isZero() || !rules.failover.mayRetry(this, Failure.RESET)) {
            return Move.NONE;
        }
        Backend next = choose();
        return next == null ? Move.NONE : Move.retry(begin(next, budget, false));
    }

    /**
     * The try {@code slow} has had no answer for {@code hedgeAfter}: a hedge on another backend, unless its answer
     * began, it ended, a hedge was sent, an answer won, the attempts are used up or time is. When no other backend
     * promises to beat it, or the hedge budget is spent, the servlet asks again later. The servlet calls it holding
     * this monitor, and builds the hedge's request before letting go.
     */
    public synchronized Move hedgeDue(Attempt slow) {
        Duration budget = budget();
        if (slow.stage != Stage.SENT || hedged || winner != null || inFlight.isEmpty()
                || tried.size() >= rules.maxAttempts || budget.isZero()) {
            return Move.NONE;
        }
        if (!Hedging.promising(slow, rules.pool.candidates(tried))) {
            // every other backend answers about as slowly: the proxy or all backends are loaded
            return Move.HEDGE_LATER;
        }
        if (!rules.hedging.acquire()) {
            return Move.HEDGE_OVER_BUDGET;
        }
        // chosen only with a place in the budget: a refused hedge leaves the balancer's rotation alone; one that
        // is not sent gives its place back
        Backend backend = choose();
        if (backend == null) {
            rules.hedging.release();
            return Move.NONE;
        }
        return Move.hedge(begin(backend, budget, true));
    }

    /** A try beside others whose request could not be built: never sent, it ends here, and the others answer. */
    void abandon(Attempt attempt) {
        synchronized (this) {
            attempt.stage = Stage.ENDED;
            inFlight.remove(attempt);
        }
        if (attempt.hedge) {
            rules.hedging.release();
        }
    }

    private Attempt begin(Backend backend, Duration budget, boolean hedge) {
        tried.add(backend);
        if (firstBackend == null) {
            firstBackend = backend;
        }
        hedged |= hedge;
        Attempt attempt = new Attempt(backend, budget, hedge);
        inFlight.add(attempt);
        return attempt;
    }

    /** Records the client's fault, or that it went away; {@code false} when one was recorded already. */
    public synchronized boolean clientFault(ClientFault fault) {
        if (clientFault != null) {
            late++;
            return false;
        }
        clientFault = fault;
        return true;
    }

    /**
     * Whether the winning answer ended: what the client's body does from now on (a stall, an early end) no longer
     * matters, as when a backend answered an upload before reading all of it.
     */
    public synchronized boolean answered() {
        return winner != null && (winner.stage == Stage.ENDED || answeredEarly);
    }

    /**
     * A try's answer came whole while its request was still being sent: when it is the winner's, the rest of the
     * client's body is moot from now on, whatever the container then reports of it (Tomcat fails the body's read
     * listener once the request completes, which may come before the try's end is told).
     */
    public synchronized void answeredEarly(Attempt attempt) {
        if (attempt == winner) {
            answeredEarly = true;
        }
    }

    /** The client's fault, or {@code null} when it did nothing wrong (so far). */
    public synchronized ClientFault clientFault() {
        return clientFault;
    }

    /** The answer kept by a {@code KEEPING} try, or {@code null}. */
    public synchronized K kept() {
        return kept;
    }

    /** Events ignored because they came after their try's decision, for tests. */
    public synchronized int late() {
        return late;
    }

    /** The backends tried; read it under this monitor. */
    Set<Backend> tried() {
        return tried;
    }

    public synchronized int attempts() {
        return tried.size();
    }

    boolean committed() {
        return client.committed();
    }

    boolean isReplayable() {
        return replayable;
    }

    boolean isIdempotent() {
        return idempotent;
    }

    boolean isExpired() {
        return deadline.map(Deadline::isExpired).orElse(false);
    }

    /** The time the next try may take: the per-try timeout, or less when the request's deadline is nearer. */
    private Duration budget() {
        return budget(rules.tryTimeout, deadline);
    }

    /**
     * The per-try timeout, or less when the request's deadline is nearer; zero when less than a millisecond is
     * left, because HttpClient reads a timeout of 0 ms as "no timeout at all".
     */
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
}
