package io.breakwater.proxy.internal;

import jakarta.servlet.http.HttpServletResponse;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Copies a backend's response headers to the client's response, hop-by-hop ones and those its {@code Connection}
 * header names left out, each value as the backend sent it. Jetty's {@code AbstractProxyServlet} does the same job
 * by splitting every value into a list and joining it again (which also rewrites {@code a=b; Path=/} as
 * {@code a=b;Path=/}), and by lower-casing every name into a new set: about a tenth of the proxy's allocations
 * (BENCHMARKS.md). Stateless and thread-safe.
 */
public final class ResponseHeaders {
    private ResponseHeaders() {
    }

    /**
     * The first field of a name replaces what the container put there (its {@code Server}, {@code Date}); later
     * copied fields of the same name are added, so repeated headers such as {@code Set-Cookie} all reach the client.
     */
    public static void copy(Response serverResponse, HttpServletResponse clientResponse, HopByHop hopByHop,
            UnaryOperator<HttpField> filter) {
        HttpFields fields = serverResponse.getHeaders();
        Set<String> connectionNamed = connectionNamed(fields);
        int size = fields.size();
        HttpField[] copied = new HttpField[size];
        int count = 0;
        for (int i = 0; i < size; i++) {
            HttpField field = fields.getField(i);
            if (hopByHop.test(field) || connectionNamed.contains(field.getLowerCaseName())) {
                continue;
            }
            HttpField passed = filter.apply(field);
            if (passed == null) {
                continue;
            }
            if (isFirstOfItsName(field, copied, count)) {
                clientResponse.setHeader(field.getName(), passed.getValue());
            } else {
                clientResponse.addHeader(field.getName(), passed.getValue());
            }
            copied[count++] = field;
        }
    }

    /**
     * The lower-case names the backend's {@code Connection} header lists: hop-by-hop for this answer (RFC 9110
     * 7.6.1), so they end at the proxy. Most answers have no such header, and cost nothing here.
     */
    private static Set<String> connectionNamed(HttpFields fields) {
        HttpField connection = fields.getField(HttpHeader.CONNECTION);
        if (connection == null) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        for (HttpField field : fields) {
            if (field.getHeader() == HttpHeader.CONNECTION) {
                for (String name : field.getValues()) {
                    names.add(name.toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    /** Which fields are hop-by-hop: known headers by their constant, other names by their lower-case text. */
    public static final class HopByHop {
        private final EnumSet<HttpHeader> known = EnumSet.noneOf(HttpHeader.class);
        private final Set<String> names;

        /** From lower-case names, such as {@code AbstractProxyServlet.HOP_HEADERS}. */
        public HopByHop(Set<String> lowerCaseNames) {
            this.names = Set.copyOf(lowerCaseNames);
            for (String name : lowerCaseNames) {
                HttpHeader header = HttpHeader.CACHE.get(name);
                if (header != null) {
                    known.add(header);
                }
            }
        }

        boolean test(HttpField field) {
            HttpHeader header = field.getHeader();
            return header != null ? known.contains(header) : names.contains(field.getLowerCaseName());
        }
    }

    /**
     * A linear scan: a response has a handful of headers, fewer than a hash set would be worth. Two known headers
     * are the same one only when their constants are; only an unknown name is compared as text.
     */
    private static boolean isFirstOfItsName(HttpField field, HttpField[] copied, int count) {
        HttpHeader header = field.getHeader();
        for (int i = 0; i < count; i++) {
            HttpHeader other = copied[i].getHeader();
            boolean same = header != null && other != null ? header == other
                    : copied[i].getName().equalsIgnoreCase(field.getName());
            if (same) {
                return false;
            }
        }
        return true;
    }
}
