package io.breakwater.proxy;

import io.breakwater.core.config.Parsers;
import io.breakwater.core.config.ValueParser;

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
                    long value;
                    if (text.endsWith("GB")) {
                        value = Long.parseLong(text.substring(0, text.length() - 2).trim()) * GB;
                    } else if (text.endsWith("KB")) {
                        value = Long.parseLong(text.substring(0, text.length() - 2).trim()) * KB;
                    } else if (text.endsWith("MB")) {
                        value = Long.parseLong(text.substring(0, text.length() - 2).trim()) * MB;
                    } else {
                        value = Long.parseLong(text);
                    }
                    if (value < min || value > max) {
                        throw new IllegalArgumentException(text);
                    }
                    return value;
                });
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
