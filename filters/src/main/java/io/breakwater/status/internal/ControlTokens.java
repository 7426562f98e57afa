package io.breakwater.status.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;

/**
 * The status page's control tokens: a new one for every page served, good for {@link #LIFETIME} and among the
 * newest {@link #MAX_LIVE}, so that a token that leaks (a log, a screenshot, a page saved to disk) soon opens
 * nothing. Each is compared in constant time. Thread-safe.
 */
public final class ControlTokens {
    /** A page left open this long must be reloaded before its controls work again. */
    public static final Duration LIFETIME = Duration.ofHours(8);
    /** As many pages as operators plausibly keep open at once; an older one must be reloaded. */
    public static final int MAX_LIVE = 64;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    /** Oldest first; guarded by itself. */
    private final Deque<Issued> live = new ArrayDeque<>();

    public ControlTokens(Clock clock) {
        this.clock = clock;
    }

    /** A new token, for one page. */
    public String issue() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Issued issued = new Issued(token.getBytes(StandardCharsets.UTF_8), clock.instant().plus(LIFETIME));
        synchronized (live) {
            if (live.size() == MAX_LIVE) {
                live.removeFirst();
            }
            live.addLast(issued);
        }
        return token;
    }

    /** Whether {@code presented} is a token issued within its lifetime and not yet pushed out by newer ones. */
    public boolean accepts(String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
        Instant now = clock.instant();
        boolean found = false;
        synchronized (live) {
            live.removeIf(issued -> !now.isBefore(issued.expires));
            for (Issued issued : live) {
                found |= MessageDigest.isEqual(issued.token, bytes); // every one compared: no early exit to time
            }
        }
        return found;
    }

    private static final class Issued {
        final byte[] token;
        final Instant expires;

        Issued(byte[] token, Instant expires) {
            this.token = token;
            this.expires = expires;
        }
    }
}
