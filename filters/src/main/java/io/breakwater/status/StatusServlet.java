package io.breakwater.status;

import com.codahale.metrics.MetricRegistry;
import io.breakwater.core.config.internal.ConfigReader;
import io.breakwater.core.error.ErrorCode;
import io.breakwater.core.error.internal.ErrorResponse;
import io.breakwater.core.journal.internal.StateJournal;
import io.breakwater.core.metric.BreakwaterMetrics;
import io.breakwater.core.metric.internal.MetricCatalog;
import io.breakwater.core.metric.internal.ProcessMetrics;
import io.breakwater.core.servlet.OperatorEndpoint;
import io.breakwater.core.status.internal.StatusSources;
import io.breakwater.status.internal.ControlOrigin;
import io.breakwater.status.internal.StatusConfig;
import io.breakwater.status.internal.StatusControls;
import io.breakwater.status.internal.StatusFigures;
import io.breakwater.status.internal.StatusHistory;
import io.breakwater.status.internal.StatusJson;
import io.breakwater.status.internal.StatusPage;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live status page: backends, circuit breakers, routes and the last state changes, as one self-contained HTML
 * page ({@code GET}) that polls its JSON ({@code GET ?format=json}) every second, and, when
 * {@code statusControls} is on, the page's controls ({@code POST action=reset|drain|enable&target=...&token=...}),
 * taken only from the page's own origin and with the token of a page served lately in the body.
 * Everything is served only to the addresses of {@code statusAllowFrom}; anyone else gets 403 {@code FORBIDDEN}.
 * Samples counts once a second on its own thread, stopped in {@link #destroy()}. Thread-safe.
 */
public class StatusServlet extends HttpServlet implements OperatorEndpoint {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StatusServlet.class);

    static final ErrorCode NOT_ALLOWED = new ErrorCode("FORBIDDEN", 403, "Status page not allowed from this address");
    static final ErrorCode CONTROLS_OFF = new ErrorCode("FORBIDDEN", 403, "Status controls are disabled");
    static final ErrorCode WRONG_TOKEN = new ErrorCode("FORBIDDEN", 403, "Missing or wrong control token");
    static final ErrorCode CROSS_ORIGIN =
            new ErrorCode("FORBIDDEN", 403, "Control request not from the status page's own origin");
    static final ErrorCode TOKEN_IN_URL =
            new ErrorCode("FORBIDDEN", 403, "Control token only accepted in the request body");
    static final ErrorCode UNKNOWN_ACTION = new ErrorCode("BAD_REQUEST", 400, "Unknown action");
    static final ErrorCode UNKNOWN_TARGET = new ErrorCode("NOT_FOUND", 404, "No such breaker or backend");

    private final transient Clock clock;
    private transient StatusConfig config;
    private transient StatusPage page;
    private transient StatusJson json;
    private transient StatusControls controls;
    private transient ScheduledExecutorService sampler;

    public StatusServlet() {
        this(Clock.systemUTC());
    }

    /** With the clock that stamps the JSON and the journal's backend changes. */
    public StatusServlet(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void init() throws ServletException {
        config = ConfigReader.read(getServletConfig(), StatusConfig::read);
        ServletContext context = getServletContext();
        MetricRegistry registry = BreakwaterMetrics.acquire(context);
        ProcessMetrics.register(MetricCatalog.of(registry));
        StatusSources sources = StatusSources.of(context);
        StatusFigures figures = new StatusFigures(sources, registry, ownRoutes());
        StateJournal journal = StateJournal.of(context);
        StatusHistory history = new StatusHistory(figures, journal, clock);
        page = new StatusPage();
        json = new StatusJson(figures, history, journal, clock);
        controls = new StatusControls(sources, clock);
        String path = context.getContextPath().isEmpty() ? "ROOT" : context.getContextPath();
        sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "breakwater-status-" + path);
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleAtFixedRate(() -> sample(history), 0, 1, TimeUnit.SECONDS);
    }

    /** The page's own mappings: its polling is no route an operator wants to watch. */
    private Set<String> ownRoutes() {
        ServletRegistration registration = getServletContext().getServletRegistration(getServletName());
        return registration == null ? Set.of() : Set.copyOf(registration.getMappings());
    }

    private static void sample(StatusHistory history) {
        try {
            history.sample();
        } catch (RuntimeException e) {
            // the scheduler would silently stop repeating a task that throws
            LOG.warn("status sample failed", e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!allowed(request, response)) {
            return;
        }
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        if ("json".equals(request.getParameter("format"))) {
            write(response, "application/json;charset=utf-8", json.write(config.controls()));
            return;
        }
        String nonce = StatusPage.nonce();
        response.setHeader("Content-Security-Policy", StatusPage.policy(nonce));
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        write(response, "text/html;charset=utf-8", page.render(nonce, config.controls() ? controls.issueToken() : ""));
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!allowed(request, response)) {
            return;
        }
        if (!config.controls()) {
            ErrorResponse.send(request, response, CONTROLS_OFF);
            return;
        }
        if (!ControlOrigin.isSameOrigin(request)) {
            ErrorResponse.send(request, response, CROSS_ORIGIN);
            return;
        }
        if (ControlOrigin.queryCarriesToken(request.getQueryString())) {
            ErrorResponse.send(request, response, TOKEN_IN_URL);
            return;
        }
        if (!controls.tokenMatches(request.getParameter("token"))) {
            ErrorResponse.send(request, response, WRONG_TOKEN);
            return;
        }
        String action = request.getParameter("action");
        String target = request.getParameter("target");
        switch (controls.perform(action, target)) {
            case UNKNOWN_ACTION -> ErrorResponse.send(request, response, UNKNOWN_ACTION);
            case UNKNOWN_TARGET -> ErrorResponse.send(request, response, UNKNOWN_TARGET);
            default -> {
                LOG.warn("status page control: action={} target={} by={}", action, target, request.getRemoteAddr());
                response.setHeader("Cache-Control", "no-store");
                response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            }
        }
    }

    private boolean allowed(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (config.allowFrom().allows(request.getRemoteAddr())) {
            return true;
        }
        ErrorResponse.send(request, response, NOT_ALLOWED);
        return false;
    }

    private static void write(HttpServletResponse response, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentType(contentType);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    @Override
    public void destroy() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
        BreakwaterMetrics.release(getServletContext());
    }
}
