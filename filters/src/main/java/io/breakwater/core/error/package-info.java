/**
 * The error contract: the codes, the problem+json answers, the request ids, and how the suite marks its own
 * refusals.
 */
package io.breakwater.core.error;
