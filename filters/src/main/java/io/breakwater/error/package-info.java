/**
 * The error contract: problem+json bodies with a stable {@code code}, request ids, and the error page servlet.
 */
package io.breakwater.error;
