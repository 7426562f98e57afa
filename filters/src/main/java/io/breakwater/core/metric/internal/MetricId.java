package io.breakwater.core.metric.internal;

import java.util.Arrays;
import java.util.List;

/**
 * One figure: its family and its label values, and the key it is kept under in the web app's Dropwizard registry
 * (made from those, never read back into them). Immutable and thread-safe.
 */
public final class MetricId {
    private final MetricFamily family;
    private final String[] values;
    private final String key;

    MetricId(MetricFamily family, String[] values, String key) {
        this.family = family;
        this.values = values;
        this.key = key;
    }

    public MetricFamily family() {
        return family;
    }

    /** The value of one of the family's labels. */
    public String label(Label label) {
        int index = family.labels().indexOf(label);
        if (index < 0) {
            throw new IllegalArgumentException(family + " has no label " + label.label());
        }
        return values[index];
    }

    /** The label values, in the order of {@link MetricFamily#labels()}. */
    public List<String> values() {
        return List.of(values);
    }

    /** The registry key, like {@code route./orders/{id}.responses.5xx}. */
    public String key() {
        return key;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MetricId && ((MetricId) other).family == family
                && Arrays.equals(((MetricId) other).values, values);
    }

    @Override
    public int hashCode() {
        return 31 * family.hashCode() + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return key;
    }
}
