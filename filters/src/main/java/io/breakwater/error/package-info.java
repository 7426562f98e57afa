/** The error page servlet: the container's error dispatches answered in the error contract's problem+json. */
package io.breakwater.error;
