package io.breakwater.sample.launcher;

import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;

/**
 * The web app's {@code <error-page>}s for every method. Jetty's own handler dispatches to them for GET, POST and HEAD
 * only, so an app's {@code sendError} on PUT, DELETE, PATCH or OPTIONS (a 404, a 405 from {@code HttpServlet})
 * would answer with no body at all instead of {@code ProblemErrorServlet}'s problem+json. Thread-safe.
 */
class AllMethodsErrorPages extends ErrorPageErrorHandler {
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }
}
