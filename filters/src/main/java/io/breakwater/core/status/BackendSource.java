package io.breakwater.core.status;

import java.util.List;

/**
 * A proxy's backends, as it publishes them in {@link StatusSources}: their live figures and the controls the status
 * page offers. Answers from state it already holds (no I/O). Implementations must be thread-safe.
 */
public interface BackendSource {

    /** Every backend now. */
    List<BackendView> backends();

    /** Sends no new requests to the backend of this id (those in flight finish); false if there is none here. */
    boolean drain(String id);

    /** Puts the backend of this id back in rotation; false if there is none here. */
    boolean enable(String id);
}
