package io.breakwater.core.error.internal;

import java.lang.reflect.Method;

/**
 * The container's rejection of a malformed request: Jetty's {@code HttpException}s ({@code BadMessageException}),
 * found by name so that the filters need no Jetty on their class path. Stateless and thread-safe.
 */
public final class ContainerRejection {
    private static final int MAX_CAUSES = 16;

    private ContainerRejection() {
    }

    /** The 4xx status of the container's rejection that {@code thrown} is, or 0 when it is none. */
    public static int status(Throwable thrown) {
        for (Class<?> type = thrown.getClass(); type != null; type = type.getSuperclass()) {
            for (Class<?> face : type.getInterfaces()) {
                if (face.getName().equals("org.eclipse.jetty.http.HttpException")) {
                    int code = code(thrown);
                    return code >= 400 && code < 500 ? code : 0;
                }
            }
        }
        return 0;
    }

    /** Whether {@code thrown} or one of its causes is the container's rejection of a malformed request. */
    public static boolean isCause(Throwable thrown) {
        int depth = 0;
        for (Throwable t = thrown; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (status(t) != 0) {
                return true;
            }
        }
        return false;
    }

    private static int code(Throwable t) {
        try {
            Method getCode = t.getClass().getMethod("getCode");
            return (Integer) getCode.invoke(t);
        } catch (ReflectiveOperationException | ClassCastException e) {
            return 400;
        }
    }
}
