/**
 * {@link io.breakwater.exception.ExceptionHandlingFilter}: every exception from the chain becomes the error
 * contract's answer, or an aborted connection once the response is committed.
 */
package io.breakwater.exception;
