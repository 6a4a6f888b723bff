import { getEventListeners } from 'node:events';
import { Deadline, endsWithin, withCallDeadline, withDeadline } from '../../../src/core/deadline';
import { countAbortSignalsMade } from '../../../testkit/abort-signals';

describe('Deadline', () => {
  afterEach(() => jest.useRealTimers());

  it('aborts when its time is up, with the reason AbortSignal.timeout gives, and says it timed out', () => {
    jest.useFakeTimers();
    const deadline = new Deadline(1_000);
    jest.advanceTimersByTime(999);
    expect(deadline.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.timedOut).toBe(true);
    expect(deadline.signal.reason).toBeInstanceOf(DOMException);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('ended, leaves no timer behind and never aborts: the spent timers of finished calls are what it saves', () => {
    jest.useFakeTimers();
    const deadline = new Deadline(10_000);
    expect(jest.getTimerCount()).toBe(1);
    deadline.end();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(20_000);
    expect(deadline.signal.aborted).toBe(false);
  });

  it('aborts with the reason of a signal it follows, and is not a timeout then', () => {
    const caller = new AbortController();
    const breaker = new AbortController();
    const deadline = new Deadline(60_000, caller.signal, undefined, breaker.signal);
    breaker.abort(new Error('breaker said stop'));
    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as Error).message).toBe('breaker said stop');
    expect(deadline.timedOut).toBe(false);
    // The other followed signal is let go of, and so is the timer.
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    deadline.end();
  });

  it('follows a signal that is already aborted at once', () => {
    const caller = new AbortController();
    caller.abort('gone');
    const deadline = new Deadline(60_000, caller.signal);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toBe('gone');
  });

  it('aborted at once by a followed signal, lets go of the signals it followed before it', () => {
    const route = new AbortController();
    const breaker = new AbortController();
    breaker.abort('open');
    const deadline = new Deadline(60_000, route.signal, breaker.signal);
    expect(deadline.signal.reason).toBe('open');
    expect(getEventListeners(route.signal, 'abort')).toHaveLength(0);
  });

  it('ended, lets go of the signals it follows (a long-lived caller signal collects no listeners)', () => {
    const route = new AbortController();
    for (let i = 0; i < 100; i++) new Deadline(60_000, route.signal).end();
    expect(getEventListeners(route.signal, 'abort')).toHaveLength(0);
  });
});

describe('a deadline whose signal is not read', () => {
  afterEach(() => jest.useRealTimers());

  it('makes no signal: work that never asks for it (a mapping, a kept catalogue entry) costs none', async () => {
    const signals = countAbortSignalsMade();
    try {
      await withCallDeadline(60_000, [], async () => 'mapped');
      expect(signals.made()).toBe(0);
      await withCallDeadline(60_000, [], async ({ signal }) => signal.aborted);
      expect(signals.made()).toBe(1);
    } finally {
      signals.restore();
    }
  });

  it('still times out: read after its time is up, the signal is aborted', () => {
    jest.useFakeTimers();
    const deadline = new Deadline(1_000);
    jest.advanceTimersByTime(1_000);
    expect(deadline.timedOut).toBe(true);
    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as DOMException).name).toBe('TimeoutError');
  });
});

describe('endsWithin', () => {
  it("is true for a deadline's signal that aborts within the time, so a ceiling that long could never fire first", () => {
    const deadline = new Deadline(1_000);
    expect(endsWithin(deadline.signal, 5_000)).toBe(true);
    expect(endsWithin(deadline.signal, 1_000)).toBe(true);
    expect(endsWithin(deadline.signal, 100)).toBe(false);
    deadline.end();
  });

  it('is false for a signal that is not a timed deadline\'s, or none; true for one already aborted', () => {
    const untimed = new Deadline(undefined);
    expect(endsWithin(untimed.signal, 60_000)).toBe(false);
    expect(endsWithin(new AbortController().signal, 60_000)).toBe(false);
    expect(endsWithin(undefined, 60_000)).toBe(false);
    const aborted = new AbortController();
    aborted.abort('stop');
    expect(endsWithin(aborted.signal, 1)).toBe(true);
  });
});

describe('withDeadline', () => {
  it('gives the work the signal and ends the deadline when the work settles, resolved or not', async () => {
    const route = new AbortController();
    await expect(withDeadline(60_000, [route.signal], async (signal) => (signal.aborted ? 'aborted' : 'ran'))).resolves.toBe('ran');
    await expect(withDeadline(60_000, [route.signal], async () => Promise.reject(new Error('failed')))).rejects.toThrow('failed');
    expect(getEventListeners(route.signal, 'abort')).toHaveLength(0);
  });

  it('aborts work that outlives its time', async () => {
    const seen = await withDeadline(20, [], (signal) => new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve((signal.reason as DOMException).name))));
    expect(seen).toBe('TimeoutError');
  });
});
