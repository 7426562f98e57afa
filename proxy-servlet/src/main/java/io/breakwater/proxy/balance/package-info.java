/**
 * The backends and the strategies that choose among them.
 */
package io.breakwater.proxy.balance;
