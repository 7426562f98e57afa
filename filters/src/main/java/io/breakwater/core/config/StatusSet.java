package io.breakwater.core.config;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A set of HTTP status codes (100 to 599) in the order they were configured, asked on every request whether it
 * holds the answer's status: a table lookup, with no hashing, and no box for statuses above 127, which
 * {@code Set.contains(status)} on a hash set made for each answer (BENCHMARKS.md). Immutable and thread-safe.
 */
public final class StatusSet extends AbstractSet<Integer> {
    private static final int MIN = 100;
    private static final int MAX = 599;

    private final boolean[] held = new boolean[MAX - MIN + 1];
    private final List<Integer> ordered;

    /** The statuses, each from 100 to 599, duplicates dropped; throws for any other. */
    StatusSet(Collection<Integer> statuses) {
        for (int status : statuses) {
            if (status < MIN || status > MAX) {
                throw new IllegalArgumentException("not a status from 100 to 599: " + status);
            }
        }
        this.ordered = List.copyOf(new LinkedHashSet<>(statuses));
        for (int status : ordered) {
            held[status - MIN] = true;
        }
    }

    /** Whether the status is in the set, without boxing it. */
    public boolean holds(int status) {
        return status >= MIN && status <= MAX && held[status - MIN];
    }

    @Override
    public boolean contains(Object o) {
        return o instanceof Integer && holds((Integer) o);
    }

    @Override
    public Iterator<Integer> iterator() {
        return ordered.iterator();
    }

    @Override
    public int size() {
        return ordered.size();
    }
}
