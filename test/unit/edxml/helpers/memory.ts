// Measures external (ArrayBuffer) and RSS memory around a step, with a forced GC first so baselines are stable.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose_gc');
const collectGarbage = runInNewContext('gc') as () => void;

export interface MemorySample {
  arrayBuffers: number;
  rss: number;
}

export function settledMemory(): MemorySample {
  collectGarbage();
  collectGarbage();
  const { arrayBuffers, rss } = process.memoryUsage();
  return { arrayBuffers, rss };
}

/** Tracks the highest arrayBuffers value seen through `sample()` calls, relative to a GC'd baseline. */
export class PeakMemoryTracker {
  private readonly baseline = settledMemory();
  private peakArrayBuffers = this.baseline.arrayBuffers;
  private peakRss = this.baseline.rss;

  sample(): void {
    this.record(process.memoryUsage());
  }

  /** Samples what is alive: garbage is collected first, so the peak is what the code holds, not what V8 left. */
  sampleLive(): void {
    this.record(settledMemory());
  }

  private record({ arrayBuffers, rss }: MemorySample): void {
    this.peakArrayBuffers = Math.max(this.peakArrayBuffers, arrayBuffers);
    this.peakRss = Math.max(this.peakRss, rss);
  }

  /** Peak growth over the baseline, in bytes. */
  peakDelta(): MemorySample {
    this.sample();
    return { arrayBuffers: this.peakArrayBuffers - this.baseline.arrayBuffers, rss: this.peakRss - this.baseline.rss };
  }
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
