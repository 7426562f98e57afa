package io.breakwater.status;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The status page's controls: a fixed list of actions, each one operation of a control MBean (never an
 * arbitrary one), guarded by a token that only the page knows, compared in constant time. Thread-safe.
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
    private final String token;

    StatusControls(StatusSources sources) {
        this.sources = sources;
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** The token the page sends back with every control request. */
    String token() {
        return token;
    }

    boolean tokenMatches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
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
