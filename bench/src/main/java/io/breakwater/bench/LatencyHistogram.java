package io.breakwater.bench;

/**
 * Latencies in microseconds, counted in log-linear buckets: exact below 64 µs, then 32 buckets per power of two
 * (within about 3 % of the value recorded), so that a long run keeps a fixed 15 KB whatever it records. Not
 * thread-safe: one per connection, added together once the connections are done.
 */
final class LatencyHistogram {
    private static final int EXACT = 64;
    private static final int SUB_BITS = 5;
    private static final int SUB_BUCKETS = 1 << SUB_BITS;
    private static final int FIRST_EXPONENT = 6;
    private final long[] counts = new long[EXACT + (Long.SIZE - FIRST_EXPONENT) * SUB_BUCKETS];
    private long total;
    private long max;

    void record(long micros) {
        long value = Math.max(0, micros);
        counts[index(value)]++;
        total++;
        max = Math.max(max, value);
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    long max() {
        return max;
    }

    /** The value at or under which {@code quantile} (0 to 1) of the values lie: its bucket's middle; 0 when empty. */
    long valueAt(double quantile) {
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(middle(i), max);
            }
        }
        return 0;
    }

    private static int index(long value) {
        if (value < EXACT) {
            return (int) value;
        }
        int exponent = Long.SIZE - 1 - Long.numberOfLeadingZeros(value);
        int sub = (int) (value >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1);
        return EXACT + (exponent - FIRST_EXPONENT) * SUB_BUCKETS + sub;
    }

    private static long middle(int index) {
        if (index < EXACT) {
            return index;
        }
        int exponent = (index - EXACT) / SUB_BUCKETS + FIRST_EXPONENT;
        long sub = (index - EXACT) % SUB_BUCKETS;
        long width = 1L << (exponent - SUB_BITS);
        return ((SUB_BUCKETS + sub) << (exponent - SUB_BITS)) + width / 2;
    }
}
