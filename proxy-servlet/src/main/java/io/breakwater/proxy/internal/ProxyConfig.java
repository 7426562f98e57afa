package io.breakwater.proxy.internal;

import io.breakwater.core.config.internal.AllowedAddresses;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.config.internal.Parameter;
import io.breakwater.core.config.internal.Parsers;
import io.breakwater.core.config.internal.StatusSet;
import io.breakwater.core.config.internal.ValueParser;
import io.breakwater.proxy.balance.Strategies;
import io.breakwater.proxy.balance.internal.BackendSpec;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The parameters of {@code BalancingProxyServlet} and their values as read once at init. Immutable and
 * thread-safe.
 */
public final class ProxyConfig {
    static final String COMPONENT = "BalancingProxyServlet";

    public static final Parameter<List<BackendSpec>> BACKENDS =
            Parameter.required("backends", COMPONENT, BackendSpec.listParser());
    public static final Parameter<String> STRATEGY = Parameter.of("strategy", COMPONENT, "round-robin",
            Parsers.choice(Strategies.names().toArray(String[]::new)));
    public static final Parameter<Duration> SLOW_START = Parameter.of("slowStart", COMPONENT, "off",
            Parsers.durationOrOff(Duration.ofMillis(1), Duration.ofHours(1)));
    public static final Parameter<String> HASH_KEY = Parameter.of("hashKey", COMPONENT, "ip", hashKeys());
    public static final Parameter<Integer> MAX_ATTEMPTS =
            Parameter.of("maxAttempts", COMPONENT, "3", Parsers.integer(1, 10));
    public static final Parameter<Duration> TRY_TIMEOUT = Parameter.of("tryTimeout", COMPONENT, "5s",
            Parsers.duration(Duration.ofMillis(1), Duration.ofHours(1)));
    /**
     * The longest the backend may send nothing more of an answer it began: as HAProxy's {@code timeout server} and
     * nginx's {@code proxy_read_timeout} are one value for every wait on the server, the same as tryTimeout's.
     */
    public static final Parameter<Duration> BACKEND_IDLE_TIMEOUT = Parameter.of("backendIdleTimeout", COMPONENT,
            "5s", Parsers.duration(Duration.ofMillis(1), Duration.ofHours(1)));
    /**
     * The longest a client may take nothing of its answer before it is a stalled client: Jetty's own idle timeout
     * on a connection (nginx's {@code send_timeout} is 60s).
     */
    public static final Parameter<Duration> CLIENT_IDLE_TIMEOUT = Parameter.of("clientIdleTimeout", COMPONENT,
            "30s", Parsers.duration(Duration.ofMillis(1), Duration.ofHours(1)));
    public static final Parameter<Duration> CONNECT_TIMEOUT = Parameter.of("connectTimeout", COMPONENT, "1s",
            Parsers.duration(Duration.ofMillis(1), Duration.ofMinutes(1)));
    public static final Parameter<StatusSet> FAILOVER_STATUSES =
            Parameter.of("failoverStatuses", COMPONENT, "502,503,504", Parsers.statuses());
    public static final Parameter<Boolean> RETRY_NON_IDEMPOTENT =
            Parameter.of("retryNonIdempotent", COMPONENT, "false", Parsers.bool());
    public static final Parameter<Long> REPLAY_BUFFER_SIZE =
            Parameter.of("replayBufferSize", COMPONENT, "64KB", Sizes.size(0, 16 * 1024 * 1024));
    /**
     * The longest the client may send nothing of its body (408 REQUEST_TIMEOUT): idle time between two reads, long
     * enough for a phone that changes cells (nginx's {@code client_body_timeout} is 60s); the request's deadline,
     * where there is one, still answers 408 before it.
     */
    public static final Parameter<Duration> BODY_READ_TIMEOUT = Parameter.of("bodyReadTimeout", COMPONENT, "30s",
            Parsers.duration(Duration.ofMillis(1), Duration.ofMinutes(10)));
    public static final Parameter<Long> MAX_BODY_SIZE =
            Parameter.of("maxBodySize", COMPONENT, "10MB", Sizes.size(0, 1024L * 1024 * 1024));
    public static final Parameter<Integer> MAX_CONNECTIONS_PER_BACKEND =
            Parameter.of("maxConnectionsPerBackend", COMPONENT, "256", Parsers.integer(1, 100_000));
    public static final Parameter<Integer> MAX_QUEUED_PER_BACKEND =
            Parameter.of("maxQueuedPerBackend", COMPONENT, "1024", Parsers.integer(1, 1_000_000));
    public static final Parameter<Duration> CONNECTION_WAIT = Parameter.of("connectionWait", COMPONENT, "1s",
            Parsers.durationOrOff(Duration.ofMillis(1), Duration.ofMinutes(1)));
    public static final Parameter<Duration> HEDGE_AFTER = Parameter.of("hedgeAfter", COMPONENT, "off",
            Parsers.durationOrOff(Duration.ofMillis(1), Duration.ofMinutes(1)));
    public static final Parameter<Float> HEDGE_BUDGET =
            Parameter.of("hedgeBudget", COMPONENT, "20", Parsers.percentage());
    public static final Parameter<Float> RETRY_BUDGET =
            Parameter.of("retryBudget", COMPONENT, "20", Parsers.percentage());
    /** Retries a second allowed whatever the traffic deposited in the retry budget. */
    public static final Parameter<Integer> RETRY_BUDGET_MIN_PER_SECOND =
            Parameter.of("retryBudgetMinPerSecond", COMPONENT, "10", Parsers.integer(0, 100_000));
    public static final Parameter<Integer> EJECT_AFTER_FAILURES =
            Parameter.of("ejectAfterFailures", COMPONENT, "3", Parsers.integer(1, 1000));
    public static final Parameter<Duration> EJECTION_TIME = Parameter.of("ejectionTime", COMPONENT, "30s",
            Parsers.duration(Duration.ofMillis(1), Duration.ofHours(1)));
    public static final Parameter<Duration> MAX_EJECTION_TIME = Parameter.of("maxEjectionTime", COMPONENT, "5m",
            Parsers.duration(Duration.ofMillis(1), Duration.ofHours(24)));
    public static final Parameter<Float> MAX_EJECTED_PERCENT =
            Parameter.of("maxEjectedPercent", COMPONENT, "50", Parsers.percentage());
    public static final Parameter<String> HEALTH_CHECK_PATH =
            Parameter.of("healthCheckPath", COMPONENT, "/", Parsers.parser("a path starting with /, or off",
                    text -> {
                        if (!text.equals("off") && !(text.startsWith("/") && !text.contains(" "))) {
                            throw new IllegalArgumentException(text);
                        }
                        return text;
                    }));
    public static final Parameter<Duration> HEALTH_CHECK_INTERVAL = Parameter.of("healthCheckInterval", COMPONENT,
            "5s", Parsers.duration(Duration.ofMillis(10), Duration.ofHours(1)));
    public static final Parameter<Duration> HEALTH_CHECK_TIMEOUT = Parameter.of("healthCheckTimeout", COMPONENT,
            "1s", Parsers.duration(Duration.ofMillis(1), Duration.ofMinutes(1)));
    public static final Parameter<Set<Integer>> HEALTH_CHECK_STATUSES =
            Parameter.of("healthCheckStatuses", COMPONENT, "200-499", statusRanges());
    public static final Parameter<Integer> HEALTHY_AFTER =
            Parameter.of("healthyAfter", COMPONENT, "1", Parsers.integer(1, 100));
    public static final Parameter<Integer> UNHEALTHY_AFTER =
            Parameter.of("unhealthyAfter", COMPONENT, "2", Parsers.integer(1, 100));
    /** The status page's matcher: literals and CIDR ranges, never a name to look up per request. */
    public static final Parameter<AllowedAddresses> TRUSTED_PROXIES =
            Parameter.of("trustedProxies", COMPONENT, "", AllowedAddresses.parser());
    public static final Parameter<HeaderTemplates> REQUEST_HEADERS =
            Parameter.of("requestHeaders", COMPONENT, "", HeaderTemplates.parser());

    /** How long a WebSocket tunnel may carry no byte either way before the proxy closes it. */
    public static final Parameter<Duration> TUNNEL_IDLE_TIMEOUT = Parameter.of("tunnelIdleTimeout", COMPONENT,
            "5m", Parsers.duration(Duration.ofMillis(10), Duration.ofHours(24)));
    /** Tunnels open (or opening) to one backend at most; beyond it the backend is skipped for new ones. */
    public static final Parameter<Integer> MAX_TUNNELS_PER_BACKEND =
            Parameter.of("maxTunnelsPerBackend", COMPONENT, "1000", Parsers.integer(1, 1_000_000));

    /** Every parameter, for the README check. */
    public static final List<Parameter<?>> PARAMETERS = List.of(BACKENDS, STRATEGY, SLOW_START, HASH_KEY, MAX_ATTEMPTS,
            TRY_TIMEOUT, BACKEND_IDLE_TIMEOUT, CLIENT_IDLE_TIMEOUT, CONNECT_TIMEOUT, FAILOVER_STATUSES, RETRY_NON_IDEMPOTENT, REPLAY_BUFFER_SIZE,
            BODY_READ_TIMEOUT, MAX_BODY_SIZE, MAX_CONNECTIONS_PER_BACKEND, MAX_QUEUED_PER_BACKEND, CONNECTION_WAIT,
            HEDGE_AFTER, HEDGE_BUDGET, RETRY_BUDGET, RETRY_BUDGET_MIN_PER_SECOND, EJECT_AFTER_FAILURES, EJECTION_TIME,
            MAX_EJECTION_TIME, MAX_EJECTED_PERCENT, HEALTH_CHECK_PATH,
            HEALTH_CHECK_INTERVAL, HEALTH_CHECK_TIMEOUT, HEALTH_CHECK_STATUSES, HEALTHY_AFTER, UNHEALTHY_AFTER,
            TRUSTED_PROXIES, REQUEST_HEADERS, TUNNEL_IDLE_TIMEOUT, MAX_TUNNELS_PER_BACKEND);

    public final List<BackendSpec> backends;
    public final String strategy;
    public final Duration slowStart;
    public final String hashKey;
    public final int maxAttempts;
    public final Duration tryTimeout;
    public final Duration backendIdleTimeout;
    public final Duration clientIdleTimeout;
    public final Duration connectTimeout;
    public final StatusSet failoverStatuses;
    public final boolean retryNonIdempotent;
    public final long replayBufferSize;
    public final Duration bodyReadTimeout;
    public final long maxBodySize;
    public final int maxConnectionsPerBackend;
    public final int maxQueuedPerBackend;
    public final Duration connectionWait;
    public final Duration hedgeAfter;
    public final float hedgeBudget;
    public final float retryBudget;
    public final int retryBudgetMinPerSecond;
    public final int ejectAfterFailures;
    public final Duration ejectionTime;
    public final Duration maxEjectionTime;
    public final float maxEjectedPercent;
    final String healthCheckPath;
    public final Duration healthCheckInterval;
    final Duration healthCheckTimeout;
    public final Set<Integer> healthCheckStatuses;
    final int healthyAfter;
    final int unhealthyAfter;
    public final AllowedAddresses trustedProxies;
    public final HeaderTemplates requestHeaders;
    public final Duration tunnelIdleTimeout;
    public final int maxTunnelsPerBackend;

    public ProxyConfig(ConfigReader reader) {
        backends = reader.get(BACKENDS);
        strategy = reader.get(STRATEGY);
        slowStart = reader.get(SLOW_START);
        hashKey = reader.get(HASH_KEY);
        maxAttempts = reader.get(MAX_ATTEMPTS);
        tryTimeout = reader.get(TRY_TIMEOUT);
        backendIdleTimeout = reader.get(BACKEND_IDLE_TIMEOUT);
        clientIdleTimeout = reader.get(CLIENT_IDLE_TIMEOUT);
        connectTimeout = reader.get(CONNECT_TIMEOUT);
        failoverStatuses = reader.get(FAILOVER_STATUSES);
        retryNonIdempotent = reader.get(RETRY_NON_IDEMPOTENT);
        replayBufferSize = reader.get(REPLAY_BUFFER_SIZE);
        bodyReadTimeout = reader.get(BODY_READ_TIMEOUT);
        maxBodySize = reader.get(MAX_BODY_SIZE);
        maxConnectionsPerBackend = reader.get(MAX_CONNECTIONS_PER_BACKEND);
        maxQueuedPerBackend = reader.get(MAX_QUEUED_PER_BACKEND);
        connectionWait = reader.get(CONNECTION_WAIT);
        hedgeAfter = reader.get(HEDGE_AFTER);
        hedgeBudget = reader.get(HEDGE_BUDGET);
        retryBudget = reader.get(RETRY_BUDGET);
        retryBudgetMinPerSecond = reader.get(RETRY_BUDGET_MIN_PER_SECOND);
        ejectAfterFailures = reader.get(EJECT_AFTER_FAILURES);
        ejectionTime = reader.get(EJECTION_TIME);
        maxEjectionTime = reader.get(MAX_EJECTION_TIME);
        maxEjectedPercent = reader.get(MAX_EJECTED_PERCENT);
        healthCheckPath = reader.get(HEALTH_CHECK_PATH);
        healthCheckInterval = reader.get(HEALTH_CHECK_INTERVAL);
        healthCheckTimeout = reader.get(HEALTH_CHECK_TIMEOUT);
        healthCheckStatuses = reader.get(HEALTH_CHECK_STATUSES);
        healthyAfter = reader.get(HEALTHY_AFTER);
        unhealthyAfter = reader.get(UNHEALTHY_AFTER);
        trustedProxies = reader.get(TRUSTED_PROXIES);
        requestHeaders = reader.get(REQUEST_HEADERS);
        tunnelIdleTimeout = reader.get(TUNNEL_IDLE_TIMEOUT);
        maxTunnelsPerBackend = reader.get(MAX_TUNNELS_PER_BACKEND);
    }

    public boolean healthChecks() {
        return !healthCheckPath.equals("off");
    }

    private static ValueParser<String> hashKeys() {
        return Parsers.parser("ip, header:NAME or cookie:NAME", text -> {
            boolean named = (text.startsWith("header:") && text.length() > "header:".length())
                    || (text.startsWith("cookie:") && text.length() > "cookie:".length());
            if (!text.equals("ip") && !named) {
                throw new IllegalArgumentException(text);
            }
            return text;
        });
    }

    /** Status codes and ranges, like {@code 200-399,404}. */
    private static ValueParser<Set<Integer>> statusRanges() {
        return Parsers.parser("a comma-separated list of HTTP status codes or ranges like 200-399, from 100 to 599",
                text -> {
                    Set<Integer> statuses = new LinkedHashSet<>();
                    for (String item : Parsers.list().parse(text)) {
                        int dash = item.indexOf('-');
                        int from = Integer.parseInt(dash < 0 ? item : item.substring(0, dash).trim());
                        int to = dash < 0 ? from : Integer.parseInt(item.substring(dash + 1).trim());
                        if (from < 100 || to > 599 || from > to) {
                            throw new IllegalArgumentException(item);
                        }
                        for (int status = from; status <= to; status++) {
                            statuses.add(status);
                        }
                    }
                    if (statuses.isEmpty()) {
                        throw new IllegalArgumentException(text);
                    }
                    return Collections.unmodifiableSet(statuses);
                });
    }
}
