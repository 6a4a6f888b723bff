// Counts the abort signals made in this process: AbortController makes its signal when `signal` is first read, so the
// getter, wrapped, sees each one made. Node 20 gives every AbortSignal a hidden class of its own, which is why the bus
// makes them only where a call reads one (docs/performance.md).

export interface SignalCount {
  /** Signals made since the count began. */
  made(): number;
  /** Puts AbortController's own getter back. */
  restore(): void;
}

export function countAbortSignalsMade(): SignalCount {
  const descriptor = Object.getOwnPropertyDescriptor(AbortController.prototype, 'signal');
  const read = descriptor?.get;
  if (!descriptor || !read) throw new Error('AbortController.prototype.signal is not a getter on this Node');
  const seen = new WeakSet<AbortController>();
  let made = 0;
  Object.defineProperty(AbortController.prototype, 'signal', {
    ...descriptor,
    get(this: AbortController): AbortSignal {
      if (!seen.has(this)) {
        seen.add(this);
        made++;
      }
      return read.call(this) as AbortSignal;
    },
  });
  return { made: () => made, restore: () => Object.defineProperty(AbortController.prototype, 'signal', descriptor) };
}
