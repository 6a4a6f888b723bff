// Preloaded into the bench's bus process (`node --require dist/bench/bus-gc-probe.js`), never by the bus itself:
// appends each garbage collection of the process to the file BENCH_GC_LOG names, one line each — its start in ms since
// the epoch (the process's `performance.timeOrigin` plus the entry's start, on the same wall clock as the bench's), its
// kind (perf_hooks' NODE_PERFORMANCE_GC_* constant) and its pause in ms — so that the bench can lay the half-load
// phase's slow dossiers beside the bus's full collections (bench/tail-trace.ts). The bus's own metrics observe the
// same entries (prom-client's nodejs_gc_duration_seconds), so the observer adds no hook V8 would not run anyway.
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, performance, type NodeGCPerformanceDetail } from 'node:perf_hooks';

const file = process.env.BENCH_GC_LOG;
if (file) {
  const observer = new PerformanceObserver((list) => {
    let lines = '';
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: NodeGCPerformanceDetail }).detail?.kind;
      lines += `${(performance.timeOrigin + entry.startTime).toFixed(2)} ${typeof kind === 'number' ? kind : 0} ${entry.duration.toFixed(3)}\n`;
    }
    appendFileSync(file, lines);
  });
  observer.observe({ entryTypes: ['gc'] });
}
