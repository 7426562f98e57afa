package io.breakwater.core.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The client addresses a page is served to: IP addresses and CIDR ranges, like {@code 127.0.0.1,::1,10.0.0.0/8}.
 * Only literals: a host name would need a DNS lookup, whose answer an attacker may control. Immutable and
 * thread-safe.
 */
public final class AllowedAddresses {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    /**
     * The clients the operator pages answer (the status page, its JSON and controls, and the metrics servlet);
     * everyone else gets 403. Read by the status page and the metrics servlet alike, so it is declared here.
     */
    public static final Parameter<AllowedAddresses> OPERATOR_ALLOW_FROM =
            Parameter.of("statusAllowFrom", "StatusServlet", "127.0.0.1,::1", parser());

    private final List<Range> ranges;

    private record Range(byte[] network, int prefixLength) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = prefixLength / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[whole] & mask) == (network[whole] & mask);
        }
    }

    private AllowedAddresses(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** Reads a comma-separated list of addresses and ranges; an empty list allows no one. */
    public static ValueParser<AllowedAddresses> parser() {
        return Parsers.parser("a comma-separated list of IP addresses or CIDR ranges like 10.0.0.0/8", text -> {
            List<Range> ranges = new ArrayList<>();
            for (String item : Parsers.list().parse(text)) {
                ranges.add(range(item));
            }
            return new AllowedAddresses(ranges);
        });
    }

    private static Range range(String item) {
        int slash = item.indexOf('/');
        byte[] address = literal(slash < 0 ? item : item.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException(item);
        }
        int bits = address.length * 8;
        int prefix = slash < 0 ? bits : Integer.parseInt(item.substring(slash + 1));
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException(item);
        }
        return new Range(address, prefix);
    }

    /** The bytes of an IP literal, or {@code null} for anything else (never a DNS lookup). */
    static byte[] literal(String text) {
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (IPV4.matcher(bare).matches()) {
            return ipv4(bare);
        }
        if (!IPV6.matcher(bare).matches()) {
            return null;
        }
        try {
            // a text with a colon is parsed as an IPv6 literal, never resolved; an IPv4-mapped one becomes IPv4
            return InetAddress.getByName(bare).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Four numbers up to 255 each, parsed here: getByName would look {@code 999.1.1.1} up in the DNS. */
    private static byte[] ipv4(String text) {
        String[] parts = text.split("\\.");
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            int part = Integer.parseInt(parts[i]);
            if (part > 255) {
                return null;
            }
            address[i] = (byte) part;
        }
        return address;
    }

    /** Whether a client address (as {@code getRemoteAddr()} gives it) is allowed. */
    public boolean allows(String remoteAddress) {
        if (ranges.isEmpty()) {
            return false; // without parsing: the proxy asks this of every request, and most trust no proxy
        }
        byte[] address = remoteAddress == null ? null : literal(remoteAddress);
        if (address == null) {
            return false;
        }
        for (Range range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
