/**
 * {@link io.breakwater.micrometer.BreakwaterMeterBinder}: Breakwater's figures in Micrometer, for Spring Boot's
 * Actuator or any other Micrometer registry.
 */
package io.breakwater.micrometer;
