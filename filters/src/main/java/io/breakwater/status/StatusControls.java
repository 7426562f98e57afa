package io.breakwater.status;

import io.breakwater.core.status.StatusSources;
import java.time.Clock;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * The status page's controls: a fixed list of actions, each one control of the published {@link StatusSources}
 * (never an arbitrary operation), guarded by a token that only a page served lately knows ({@link ControlTokens}).
 * Thread-safe.
 */
final class StatusControls {
    /** The actions the page offers, each acting on the target of its name, or answering false without one. */
    private static final Map<String, BiPredicate<StatusSources, String>> ACTIONS = Map.of(
            "reset", StatusSources::reset,
            "drain", StatusSources::drain,
            "enable", StatusSources::enable);

    /** What a control request came to. */
    enum Outcome { DONE, UNKNOWN_ACTION, UNKNOWN_TARGET }

    private final StatusSources sources;
    private final ControlTokens tokens;

    StatusControls(StatusSources sources, Clock clock) {
        this.sources = sources;
        this.tokens = new ControlTokens(clock);
    }

    /** A new token for one page, which it sends back with every control request. */
    String issueToken() {
        return tokens.issue();
    }

    boolean tokenMatches(String presented) {
        return tokens.accepts(presented);
    }

    Outcome perform(String action, String target) {
        BiPredicate<StatusSources, String> control = action == null ? null : ACTIONS.get(action);
        if (control == null) {
            return Outcome.UNKNOWN_ACTION;
        }
        return target != null && control.test(sources, target) ? Outcome.DONE : Outcome.UNKNOWN_TARGET;
    }
}
