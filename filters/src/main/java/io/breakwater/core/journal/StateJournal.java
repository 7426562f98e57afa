package io.breakwater.core.journal;

import jakarta.servlet.ServletContext;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * The web app's last state changes (breaker transitions, backend ejections and returns, drains), newest first, at
 * context attribute {@value #ATTRIBUTE}: a bounded ring that components write to when a state changes, never on a
 * request's path, and that the status page reads. Thread-safe.
 */
public final class StateJournal {
    public static final String ATTRIBUTE = "io.breakwater.status.journal";
    /** Enough for an incident's story on one screen; older changes are in the WARN log lines. */
    public static final int CAPACITY = 50;

    /** One change: when, of what kind ({@code breaker} or {@code backend}), of which one, from and to which state. */
    public record Change(Instant at, String kind, String name, String from, String to) {
        public Change {
            Objects.requireNonNull(at);
            Objects.requireNonNull(kind);
            Objects.requireNonNull(name);
        }
    }

    private final Deque<Change> changes = new ArrayDeque<>(CAPACITY);

    /** The context's journal, created by whoever needs it first. */
    public static StateJournal of(ServletContext context) {
        synchronized (context) {
            Object existing = context.getAttribute(ATTRIBUTE);
            if (existing instanceof StateJournal) {
                return (StateJournal) existing;
            }
            StateJournal journal = new StateJournal();
            context.setAttribute(ATTRIBUTE, journal);
            return journal;
        }
    }

    public void record(Instant at, String kind, String name, String from, String to) {
        Change change = new Change(at, kind, name, from, to);
        synchronized (changes) {
            if (changes.size() == CAPACITY) {
                changes.removeLast();
            }
            changes.addFirst(change);
        }
    }

    /** The changes kept, newest first. */
    public List<Change> recent() {
        synchronized (changes) {
            return new ArrayList<>(changes);
        }
    }
}
