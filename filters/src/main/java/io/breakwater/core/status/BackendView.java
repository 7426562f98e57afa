package io.breakwater.core.status;

import com.codahale.metrics.Timer;
import java.time.Instant;

/**
 * One backend of a proxy as the status page shows it, read in one go from the proxy's own objects. Immutable apart
 * from the timer, which keeps counting; thread-safe.
 *
 * @param id unique in the web app, the target of the page's controls: {@code "<proxy servlet> <url>"}
 * @param url the backend's scheme, host and port
 * @param adminState what an operator set
 * @param healthy whether the active health check finds it healthy
 * @param ejectedUntil when its passive ejection ends, or {@code null} when it is not ejected
 * @param inFlight tries under way at it
 * @param requests tries sent to it
 * @param failures tries it failed
 * @param latency the live timer of its answers, or {@code null} when it has none
 */
public record BackendView(String id, String url, AdminState adminState, boolean healthy, Instant ejectedUntil,
        int inFlight, long requests, long failures, Timer latency) {

    /** The administrative states an operator sets. */
    public enum AdminState { ACTIVE, DRAINING, DISABLED }

    /**
     * The one word an operator reads for it: {@code healthy}, {@code ejected} (by the health check or passively),
     * {@code draining}, {@code drained} or {@code disabled}.
     */
    public String state() {
        return switch (adminState) {
            case DISABLED -> "disabled";
            case DRAINING -> inFlight > 0 ? "draining" : "drained";
            case ACTIVE -> !healthy || ejectedUntil != null ? "ejected" : "healthy";
        };
    }
}
