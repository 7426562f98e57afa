/**
 * The chain's order: {@link io.breakwater.chain.Priority}, the suite's one list of filters, the initializer that
 * registers it, and the order check at startup, which the filters find through
 * {@link io.breakwater.core.servlet.ChainCheck}.
 */
package io.breakwater.chain;
