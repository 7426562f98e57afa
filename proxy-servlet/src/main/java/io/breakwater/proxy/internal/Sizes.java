package io.breakwater.proxy.internal;

import io.breakwater.core.config.internal.Parsers;
import io.breakwater.core.config.internal.ValueParser;

/**
 * Byte sizes in configuration: {@code 65536}, {@code 64KB}, {@code 10MB}, {@code 1GB} (1 KB = 1024 bytes). Stateless.
 */
final class Sizes {
    private static final long KB = 1024;
    private static final long MB = 1024 * KB;
    private static final long GB = 1024 * MB;

    private Sizes() {
    }

    static ValueParser<Long> size(long min, long max) {
        return Parsers.parser("a size between " + format(min) + " and " + format(max)
                + ", in bytes or with KB, MB or GB", text -> {
                    // multiplyExact: 17179869184GB is past a long, not 0
                    long value;
                    if (text.endsWith("GB")) {
                        value = Math.multiplyExact(number(text), GB);
                    } else if (text.endsWith("KB")) {
                        value = Math.multiplyExact(number(text), KB);
                    } else if (text.endsWith("MB")) {
                        value = Math.multiplyExact(number(text), MB);
                    } else {
                        value = Long.parseLong(text);
                    }
                    if (value < min || value > max) {
                        throw new IllegalArgumentException(text);
                    }
                    return value;
                });
    }

    /** The number before a two-letter unit. */
    private static long number(String text) {
        return Long.parseLong(text.substring(0, text.length() - 2).trim());
    }

    static String format(long bytes) {
        if (bytes > 0 && bytes % GB == 0) {
            return bytes / GB + "GB";
        }
        if (bytes > 0 && bytes % MB == 0) {
            return bytes / MB + "MB";
        }
        if (bytes > 0 && bytes % KB == 0) {
            return bytes / KB + "KB";
        }
        return Long.toString(bytes);
    }
}
