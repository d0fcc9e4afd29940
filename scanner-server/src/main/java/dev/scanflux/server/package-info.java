/**
 * The scan service: {@link dev.scanflux.server.ScanServer} serves a running scanner over HTTP
 * (the scan API, read endpoints, Server-Sent Events, Prometheus metrics and a live dashboard).
 */
@NullMarked
package dev.scanflux.server;

import org.jspecify.annotations.NullMarked;
