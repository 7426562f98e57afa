package io.breakwater.status;

/**
 * One backend as its {@code Backend} MBean shows it, read in one go, and the one word the page shows for it.
 * Immutable.
 */
record BackendView(String id, String servlet, String url, String adminState, boolean healthy, String ejectedUntil,
        int inFlight, long requests, long failures) {

    /**
     * {@code healthy}, {@code ejected} (by the health check or passively), {@code draining}, {@code drained} or
     * {@code disabled}.
     */
    String state() {
        if (adminState.equals("DISABLED")) {
            return "disabled";
        }
        if (adminState.equals("DRAINING")) {
            return inFlight > 0 ? "draining" : "drained";
        }
        if (!healthy || !ejectedUntil.isEmpty()) {
            return "ejected";
        }
        return "healthy";
    }

    /** The backend's {@code host:port}, as the proxy names its metrics. */
    String hostPort() {
        int scheme = url.indexOf("://");
        return scheme < 0 ? url : url.substring(scheme + 3);
    }
}
