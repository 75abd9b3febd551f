/**
 * Fulcrum's Micrometer binder: {@link dev.fulcrum.micrometer.FulcrumMetrics} registers a balancer's figures with
 * any {@code MeterRegistry}, under Micrometer's executor names where they fit and Fulcrum's own for the rest.
 * <pre>
 *  Balancer --stats() snapshot, shared for snapshotMaxAge--&gt; function gauges and function counters
 *                                                            |  read only when the registry reads them
 *                                                            v
 *                                              MeterRegistry (Prometheus scrape, a publishing step, ...)
 * </pre>
 * Nothing here runs on the engine's threads or per request.
 */
package dev.fulcrum.micrometer;
