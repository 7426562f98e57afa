package io.breakwater.core.servlet;

import jakarta.servlet.ServletContext;

/**
 * A check of a web app's filter chain that each of Breakwater's filters asks for as it starts ({@link ChainFilter}),
 * so that it runs where no {@code ServletContainerInitializer} does (an embedded server with filters added by hand).
 * The filters stand below the package that knows the chain's order, so they find the check through
 * {@link java.util.ServiceLoader} ({@code META-INF/services}) instead of naming it. An implementation is stateless
 * and thread-safe.
 */
public interface ChainCheck {
    /** Checks the chain of {@code context}; asked by every filter as it starts, it checks each web app once. */
    void check(ServletContext context);
}
