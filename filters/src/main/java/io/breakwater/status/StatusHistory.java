package io.breakwater.status;

import com.codahale.metrics.Timer;
import io.breakwater.core.journal.StateJournal;
import io.breakwater.core.metric.RouteMetrics;
import io.breakwater.core.status.BackendView;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The status page's memory: once a second, the cumulative counts of every backend and route (so that the page can
 * show rates and sparklines of the last {@value #SAMPLES} seconds), and each backend's state word, whose changes
 * it writes to the {@link StateJournal}. Sampled on the servlet's own scheduler thread, read by requests.
 * Thread-safe.
 */
final class StatusHistory {
    /** Three minutes of one-second samples: the sparklines' length. */
    static final int SAMPLES = 180;
    /** Rates are averaged over the last ten seconds: steady enough to read, recent enough to act on. */
    static final int RATE_WINDOW = 10;

    private record Sample(long nanos, Map<String, Long> counts) {
    }

    private final StatusFigures figures;
    private final StateJournal journal;
    private final Clock clock;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>(SAMPLES + 1);
    // only the sampling thread touches it
    private final Map<String, String> backendStates = new HashMap<>();

    StatusHistory(StatusFigures figures, StateJournal journal, Clock clock) {
        this.figures = figures;
        this.journal = journal;
        this.clock = clock;
    }

    static String backendKey(BackendView backend, String what) {
        return "backend " + backend.id() + " " + what;
    }

    static String routeKey(String route, String what) {
        return "route " + route + " " + what;
    }

    /** Takes one sample now. */
    void sample() {
        Map<String, Long> counts = new HashMap<>();
        List<BackendView> backends = figures.backends();
        // a backend removed from the pool is forgotten; if it comes back, it starts afresh
        backendStates.keySet().retainAll(backends.stream().map(BackendView::id).toList());
        for (BackendView backend : backends) {
            counts.put(backendKey(backend, "requests"), backend.requests());
            counts.put(backendKey(backend, "failures"), backend.failures());
            String state = backend.state();
            String before = backendStates.put(backend.id(), state);
            if (before != null && !before.equals(state)) {
                journal.record(clock.instant(), "backend", backend.url(), before, state);
            }
        }
        for (Map.Entry<String, Timer> route : figures.routes().entrySet()) {
            String name = route.getKey();
            counts.put(routeKey(name, "requests"), route.getValue().getCount());
            counts.put(routeKey(name, "5xx"), figures.count(RouteMetrics.RESPONSES, name, "5xx"));
        }
        Sample sample = new Sample(System.nanoTime(), counts);
        synchronized (samples) {
            samples.addLast(sample);
            while (samples.size() > SAMPLES + 1) {
                samples.removeFirst();
            }
        }
    }

    /** Events per second of a count over the last {@value #RATE_WINDOW} seconds, or {@code NaN} before two samples. */
    double rate(String key) {
        Sample last;
        Sample first;
        synchronized (samples) {
            if (samples.size() < 2) {
                return Double.NaN;
            }
            last = samples.peekLast();
            Iterator<Sample> back = samples.descendingIterator();
            first = last;
            for (int i = 0; i <= RATE_WINDOW && back.hasNext(); i++) {
                first = back.next();
            }
        }
        double seconds = (last.nanos - first.nanos) / 1e9;
        return seconds <= 0 ? Double.NaN : delta(first, last, key) / seconds;
    }

    /**
     * The growth of one count against another's over the rate window, in percent, or {@code NaN} if the other did
     * not grow.
     */
    double percent(String part, String whole) {
        double wholeRate = rate(whole);
        return wholeRate > 0 ? 100 * rate(part) / wholeRate : Double.NaN;
    }

    /** The count's growth in each second sampled, oldest first: a sparkline's points. */
    List<Long> perSecond(String key) {
        List<Sample> copy;
        synchronized (samples) {
            copy = new ArrayList<>(samples);
        }
        List<Long> points = new ArrayList<>(copy.size());
        for (int i = 1; i < copy.size(); i++) {
            points.add(delta(copy.get(i - 1), copy.get(i), key));
        }
        return points;
    }

    private static long delta(Sample from, Sample to, String key) {
        Long now = to.counts.get(key);
        if (now == null) {
            return 0;
        }
        // a route or backend that appeared between the samples grew from nothing
        return Math.max(0, now - from.counts.getOrDefault(key, 0L));
    }
}
