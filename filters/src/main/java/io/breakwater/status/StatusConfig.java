package io.breakwater.status;

import io.breakwater.core.config.AllowedAddresses;
import io.breakwater.core.config.ConfigReader;
import io.breakwater.core.config.Parameter;
import io.breakwater.core.config.Parsers;

/** What {@link StatusServlet} is configured to allow, read once at init. Immutable and thread-safe. */
public final class StatusConfig {
    private static final String COMPONENT = "StatusServlet";

    /** The clients the page, its JSON and its controls are served to; everyone else gets 403. */
    public static final Parameter<AllowedAddresses> ALLOW_FROM = AllowedAddresses.OPERATOR_ALLOW_FROM;

    /** Whether the page offers its controls (reset a breaker, drain or enable a backend); read-only when off. */
    public static final Parameter<Boolean> CONTROLS =
            Parameter.of("statusControls", COMPONENT, "false", Parsers.bool());

    private final AllowedAddresses allowFrom;
    private final boolean controls;

    private StatusConfig(AllowedAddresses allowFrom, boolean controls) {
        this.allowFrom = allowFrom;
        this.controls = controls;
    }

    public static StatusConfig read(ConfigReader reader) {
        return new StatusConfig(reader.get(ALLOW_FROM), reader.get(CONTROLS));
    }

    public AllowedAddresses allowFrom() {
        return allowFrom;
    }

    public boolean controls() {
        return controls;
    }
}
