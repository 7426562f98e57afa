package io.breakwater.bench;

import com.codahale.metrics.ExponentiallyDecayingReservoir;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.Reservoir;
import com.codahale.metrics.SlidingTimeWindowArrayReservoir;
import com.codahale.metrics.SlidingTimeWindowReservoir;
import com.codahale.metrics.SlidingWindowReservoir;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.UniformReservoir;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Which Dropwizard reservoir MetricsFilter's timers should use: the cost of one {@code update} (what every request
 * pays) from 1 thread and from 2 contending threads, and of one {@code getSnapshot} (what a JMX read or a reporter
 * pays) over a reservoir that has seen a minute of traffic at ~1,700 requests/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReservoirBenchmark {
    private static final int TRAFFIC_SEEN = 100_000;

    @Param({"ExponentiallyDecaying", "LockFreeExponentiallyDecaying", "SlidingTimeWindowArray", "SlidingTimeWindow",
        "SlidingWindow", "Uniform"})
    public String reservoir;

    private Reservoir chosen;

    @Setup(Level.Trial)
    public void create() {
        chosen = switch (reservoir) {
            case "ExponentiallyDecaying" -> new ExponentiallyDecayingReservoir();
            case "LockFreeExponentiallyDecaying" -> LockFreeExponentiallyDecayingReservoir.builder().build();
            case "SlidingTimeWindowArray" -> new SlidingTimeWindowArrayReservoir(1, TimeUnit.MINUTES);
            case "SlidingTimeWindow" -> new SlidingTimeWindowReservoir(1, TimeUnit.MINUTES);
            case "SlidingWindow" -> new SlidingWindowReservoir(1028);
            case "Uniform" -> new UniformReservoir();
            default -> throw new IllegalArgumentException("unknown reservoir " + reservoir);
        };
        for (int i = 0; i < TRAFFIC_SEEN; i++) {
            chosen.update(latencyNanos());
        }
    }

    private static long latencyNanos() {
        return ThreadLocalRandom.current().nextLong(100_000, 50_000_000);
    }

    @Benchmark
    @Threads(1)
    public void update1Thread() {
        chosen.update(latencyNanos());
    }

    @Benchmark
    @Threads(2)
    public void update2Threads() {
        chosen.update(latencyNanos());
    }

    @Benchmark
    @Threads(1)
    public double snapshot() {
        Snapshot snapshot = chosen.getSnapshot();
        return snapshot.get99thPercentile();
    }
}
