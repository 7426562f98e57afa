/**
 * {@link io.breakwater.proxy.BalancingProxyServlet}: a reverse proxy over several backends, with health
 * checks, ejection, failover and hedging, on Jetty's asynchronous proxy servlet.
 */
package io.breakwater.proxy;
