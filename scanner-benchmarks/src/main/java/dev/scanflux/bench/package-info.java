/** Benchmarks: JMH microbenchmarks, the scan-cycle harness and the report writer. */
@NullMarked
package dev.scanflux.bench;

import org.jspecify.annotations.NullMarked;
