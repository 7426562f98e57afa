/**
 * {@link io.breakwater.guard.GuardedFilter}: any filter of the app with a deadline on its own work, a breaker of
 * its own, its own figures and controls.
 */
package io.breakwater.guard;
