package io.breakwater.it;

import jakarta.servlet.ServletContext;

/** A web app running in a real container on loopback, whichever the container. Not thread-safe. */
interface Deployment {

    int port();

    /** The deployed web app's context, as its own code sees it. */
    ServletContext servletContext();

    /** Stops the web app (an undeploy), leaving the server running; returns when the container has stopped it. */
    void undeploy() throws Exception;

    /** Stops the web app, if still running, and the server. */
    void stop() throws Exception;
}
