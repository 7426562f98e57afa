package io.breakwater.proxy.internal;

/**
 * What the servlet does next for an exchange, as {@link Attempts} decided it: carried out on Jetty after the
 * decision's lock is let go. The moves without a try are shared constants, so that deciding allocates nothing on
 * the way of a first try that answers. Immutable.
 */
public record Move(Kind kind, Attempt next) {
    /** Kinds of moves. */
    public enum Kind {
        /** Nothing: another try decides, or the event came late. */
        NONE,
        /** Send {@link #next}, a try after a failed one (or beside tries in flight whose winner broke). */
        RETRY,
        /** Send {@link #next}, a hedge beside a slow try. */
        HEDGE,
        /** No other backend promises to beat the slow try: ask again {@code hedgeAfter} later. */
        HEDGE_LATER,
        /** The hedge budget is spent: count it and ask again {@code hedgeAfter} later. */
        HEDGE_OVER_BUDGET,
        /** The winning answer ended well: complete it. */
        COMPLETE,
        /** The winning answer, from another backend than the first one chosen, ended well: count the failover. */
        COMPLETE_AFTER_FAILOVER,
        /** The winner's place is open and tries are in flight: ask {@code besideDue} for one more beside them. */
        TRY_BESIDE,
        /** Answer the client's fault ({@link ClientFault#answer}), or abort the connection if the client is gone. */
        ANSWER_CLIENT_FAULT,
        /** Pass on the answer a try beside kept, as a winning answer is. */
        ANSWER_KEPT,
        /** Bytes of an answer are with the client already: abort the connection so it sees a broken answer. */
        ABORT,
        /** Answer {@code BACKEND_TIMEOUT}. */
        FAIL_TIMEOUT,
        /** Answer {@code BACKEND_ERROR}. */
        FAIL_ERROR,
        /** Answer {@code BACKEND_TIMEOUT}: no backend saw the request, so it is no failure of the route's. */
        REFUSED_TIMEOUT,
        /** Answer {@code BACKEND_ERROR}: no backend saw the request, so it is no failure of the route's. */
        REFUSED_ERROR,
        /** Answer {@code OVERLOADED}: the proxy's own queue for the backend was full; no failure of the route's. */
        OVERLOADED
    }

    /** What to do with an answer that began. */
    public enum Answer {
        /** The client's: pass it on. */
        PASS,
        /** The client's, from a hedge: pass it on and count the hedge's win. */
        PASS_HEDGE,
        /** Another answer won: read this one to its end and drop it, so that its connection stays usable. */
        LOSE,
        /** A failover status with a try to follow: drop it. */
        DROP,
        /** A failover status with a try beside it still running: read and keep it, up to a limit. */
        KEEP,
        /** A protocol switch the proxy did not ask for: abort it as the backend's failure. */
        REFUSE_UPGRADE
    }

    public static final Move NONE = new Move(Kind.NONE, null);
    static final Move HEDGE_LATER = new Move(Kind.HEDGE_LATER, null);
    public static final Move HEDGE_OVER_BUDGET = new Move(Kind.HEDGE_OVER_BUDGET, null);
    public static final Move COMPLETE = new Move(Kind.COMPLETE, null);
    public static final Move COMPLETE_AFTER_FAILOVER = new Move(Kind.COMPLETE_AFTER_FAILOVER, null);
    public static final Move TRY_BESIDE = new Move(Kind.TRY_BESIDE, null);
    public static final Move ANSWER_CLIENT_FAULT = new Move(Kind.ANSWER_CLIENT_FAULT, null);
    public static final Move ANSWER_KEPT = new Move(Kind.ANSWER_KEPT, null);
    static final Move ABORT = new Move(Kind.ABORT, null);
    public static final Move FAIL_TIMEOUT = new Move(Kind.FAIL_TIMEOUT, null);
    public static final Move FAIL_ERROR = new Move(Kind.FAIL_ERROR, null);
    static final Move REFUSED_TIMEOUT = new Move(Kind.REFUSED_TIMEOUT, null);
    static final Move REFUSED_ERROR = new Move(Kind.REFUSED_ERROR, null);
    static final Move OVERLOADED = new Move(Kind.OVERLOADED, null);

    static Move retry(Attempt next) {
        return new Move(Kind.RETRY, next);
    }

    static Move hedge(Attempt next) {
        return new Move(Kind.HEDGE, next);
    }
}
