/**
 * The chain's order: {@link io.breakwater.chain.Priority}, the initializer that registers the suite, and the
 * order check at startup.
 */
package io.breakwater.chain;
