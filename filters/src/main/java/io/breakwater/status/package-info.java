/**
 * The operator's status page: backends, breakers, routes and recent changes, with its controls.
 */
package io.breakwater.status;
