/**
 * The one reader of Breakwater's parameters: init-params, context-params, system properties and environment
 * variables, parsed with one grammar of error messages.
 */
package io.breakwater.core.config;
