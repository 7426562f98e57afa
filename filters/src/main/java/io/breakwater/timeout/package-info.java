/**
 * {@link io.breakwater.timeout.TimeoutFilter}: every request answered by its deadline, whatever its handler
 * does.
 */
package io.breakwater.timeout;
