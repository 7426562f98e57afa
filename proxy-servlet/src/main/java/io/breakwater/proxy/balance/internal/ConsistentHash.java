package io.breakwater.proxy.balance.internal;

import io.breakwater.proxy.balance.Backend;
import io.breakwater.proxy.balance.BalanceStrategy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consistent-hash ring with virtual nodes over all backends of the pool: a key goes to the first backend
 * clockwise from its hash that is a candidate, so removing or ejecting one backend moves only its own keys.
 * Thread-safe (the ring is rebuilt, copy-on-write, when the pool changes).
 */
public final class ConsistentHash implements BalanceStrategy {
    /** Virtual nodes per unit of weight: enough for an even spread over a handful of backends. */
    static final int VIRTUAL_NODES = 160;

    private final BackendPool pool;
    private volatile Ring ring = new Ring(List.of(), new TreeMap<>());

    private record Ring(List<Backend> backends, TreeMap<Long, Backend> nodes) {
    }

    public ConsistentHash(BackendPool pool) {
        this.pool = pool;
    }

    @Override
    public Backend choose(List<Backend> candidates, String hashKey) {
        TreeMap<Long, Backend> nodes = ring().nodes();
        long hash = hash(hashKey == null ? "" : hashKey);
        for (Map.Entry<Long, Backend> entry : nodes.tailMap(hash, true).entrySet()) {
            if (candidates.contains(entry.getValue())) {
                return entry.getValue();
            }
        }
        for (Map.Entry<Long, Backend> entry : nodes.headMap(hash, false).entrySet()) {
            if (candidates.contains(entry.getValue())) {
                return entry.getValue();
            }
        }
        // A candidate added after the snapshot the ring was built from.
        return candidates.get(0);
    }

    private Ring ring() {
        List<Backend> backends = pool.all();
        Ring current = ring;
        if (current.backends() == backends) {
            return current;
        }
        TreeMap<Long, Backend> nodes = new TreeMap<>();
        for (Backend backend : backends) {
            for (int i = 0; i < VIRTUAL_NODES * backend.getWeight(); i++) {
                nodes.put(hash(backend.key() + "#" + i), backend);
            }
        }
        Ring next = new Ring(backends, nodes);
        ring = next;
        return next;
    }

    /** 64-bit FNV-1a, then a finaliser to spread close keys: stable across JVMs, unlike String.hashCode. */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
