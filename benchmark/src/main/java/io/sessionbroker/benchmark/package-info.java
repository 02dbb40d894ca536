/** The benchmark harness: run with the command in docs/benchmarks.md. */
package io.sessionbroker.benchmark;
