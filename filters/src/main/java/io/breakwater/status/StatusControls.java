package io.breakwater.status;

import java.time.Clock;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The status page's controls: a fixed list of actions, each one operation of a control MBean (never an
 * arbitrary one), guarded by a token that only a page served lately knows ({@link ControlTokens}). Thread-safe.
 */
final class StatusControls {
    /** The actions the page offers: what MBean type each acts on and which operation it invokes. */
    private static final Map<String, String[]> ACTIONS = Map.of(
            "reset", new String[] {"CircuitBreaker", "reset"},
            "drain", new String[] {"Backend", "drain"},
            "enable", new String[] {"Backend", "enable"});

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

    Outcome perform(String action, String target) throws JMException {
        String[] operation = action == null ? null : ACTIONS.get(action);
        if (operation == null) {
            return Outcome.UNKNOWN_ACTION;
        }
        ObjectName name = target == null ? null : sources.find(operation[0], target);
        if (name == null) {
            return Outcome.UNKNOWN_TARGET;
        }
        sources.invoke(name, operation[1]);
        return Outcome.DONE;
    }
}
