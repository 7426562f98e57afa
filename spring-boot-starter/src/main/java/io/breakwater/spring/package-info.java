/**
 * {@link io.breakwater.spring.BreakwaterAutoConfiguration}: Breakwater in a Spring Boot 4 servlet app, configured
 * from {@code application.yml}.
 */
package io.breakwater.spring;
