// The delivery adapter contract: against its real upstream simulator over real sockets, every delivery honours an
// abort promptly and applies nothing afterwards, says whether a failure is worth retrying (network, timeout, 5xx:
// transient; a business refusal: final), and, where it can look the effect up, tells a delivered message from one
// that is not. Every adapter runs it by one call naming its simulator world.
import { isUpstreamError, MessageRejectedError } from '../../src/messaging/delivery/adapter';
import type { SimulatorControl } from '../simulators/kit/simulator-control';
import { waitFor } from '../env';

/** How an adapter reports its upstream's business refusal: a classified error with transient false, or a rejection. */
export type RefusalShape = 'final-error' | 'rejected';

/** One adapter with its upstream simulator; M is what the adapter delivers (an envelope, or a pipeline's typed input). */
export interface DeliveryWorld<M> {
  /** The fault switch of the simulator the adapter calls. */
  readonly control: SimulatorControl;
  /** How the adapter reports a business refusal (its design: rejected at once, or a final error the runner dead-letters). */
  readonly refusal: RefusalShape;
  /** A fresh message the upstream accepts, different from every earlier one (made while the upstream has no fault). */
  message(): Promise<M>;
  /** A fresh message the upstream refuses for what it says (a 4xx answer), preparing the upstream where that needs it. */
  refusedMessage(): Promise<M>;
  /** The code the refusal carries, when the world knows it (so the refusal is the one meant, not another). */
  readonly refusalCode?: string;
  deliver(message: M, signal: AbortSignal): Promise<void>;
  /** Present when the adapter can ask its upstream whether a delivery's effect is already there. */
  alreadyApplied?(message: M, signal: AbortSignal): Promise<boolean>;
  /** How many times the upstream applied the message's effect (more than one is a duplicate). */
  applied(message: M): Promise<number>;
  dispose(): Promise<void>;
}

/** How long the simulator holds each request while it "hangs"; far beyond the promptness asked of an abort. */
const HANG_MS = 2000;
/** An aborted call must have given up within this long after its signal fired. */
const PROMPT_MS = 1000;
/** When the call under test aborts, counted from its start (the request is out, its answer held). */
const ABORT_AFTER_MS = 300;

interface Settled {
  error: unknown;
  /** Milliseconds from the start of the call to its settling. */
  afterMs: number;
}

async function settle(call: Promise<void>): Promise<Settled> {
  const start = Date.now();
  try {
    await call;
    return { error: null, afterMs: Date.now() - start };
  } catch (error) {
    return { error, afterMs: Date.now() - start };
  }
}

function expectTransient(error: unknown): void {
  expect(error).not.toBeNull();
  expect(error).not.toBeInstanceOf(MessageRejectedError);
  expect(isUpstreamError(error)).toBe(true);
  expect(isUpstreamError(error) && error.transient).toBe(true);
}

export interface DeliveryContractOptions {
  /** The adapter implements alreadyApplied (its upstream takes no idempotency key): the lookup tests run. */
  alreadyApplied?: boolean;
}

function lookupOf<M>(world: DeliveryWorld<M>): (message: M, signal: AbortSignal) => Promise<boolean> {
  const lookUp = world.alreadyApplied?.bind(world);
  if (!lookUp) throw new Error('the world declares alreadyApplied lookups but its adapter has none');
  return lookUp;
}

/** Declares the delivery adapter contract's tests for one adapter; `make` starts a fresh world per test. */
export function deliveryAdapterContract<M>(name: string, make: () => Promise<DeliveryWorld<M>>, options: DeliveryContractOptions = {}): void {
  const lookupTest = options.alreadyApplied ? test : test.skip;
  describe(`delivery adapter contract: ${name}`, () => {
    let world: DeliveryWorld<M>;
    beforeEach(async () => {
      world = await make();
    });
    afterEach(async () => {
      world.control.setFault({ mode: 'none' });
      await world.dispose();
    });

    test('a delivery applies its effect upstream once', async () => {
      const message = await world.message();
      await world.deliver(message, new AbortController().signal);
      expect(await world.applied(message)).toBe(1);
    });

    test('abort honoured: a call aborted while the upstream hangs rejects promptly, transient, and applies nothing later', async () => {
      const [aborted, later] = [await world.message(), await world.message()];
      world.control.setFault({ mode: 'slow', delayMs: HANG_MS, durationMs: 60_000 });
      const controller = new AbortController();
      const abortTimer = setTimeout(() => controller.abort(), ABORT_AFTER_MS);
      const outcome = await settle(world.deliver(aborted, controller.signal));
      clearTimeout(abortTimer);
      expect(controller.signal.aborted).toBe(true);
      expect(outcome.afterMs).toBeLessThan(ABORT_AFTER_MS + PROMPT_MS);
      expectTransient(outcome.error);
      // A later message held as long by the same upstream is applied only after the aborted one's hold has ended.
      await world.deliver(later, new AbortController().signal);
      expect(await world.applied(later)).toBe(1);
      expect(await world.applied(aborted)).toBe(0);
    });

    test('timeout: a call whose signal times out while the upstream hangs rejects promptly as transient', async () => {
      const message = await world.message();
      world.control.setFault({ mode: 'slow', delayMs: HANG_MS, durationMs: 60_000 });
      const outcome = await settle(world.deliver(message, AbortSignal.timeout(ABORT_AFTER_MS)));
      expect(outcome.afterMs).toBeLessThan(ABORT_AFTER_MS + PROMPT_MS);
      expectTransient(outcome.error);
    });

    test('a 5xx answer is transient and applies nothing', async () => {
      const message = await world.message();
      world.control.setFault({ mode: 'fail', status: 503, durationMs: 60_000 });
      expectTransient((await settle(world.deliver(message, new AbortController().signal))).error);
      expect(await world.applied(message)).toBe(0);
    });

    test('a refused connection is transient', async () => {
      const [message, back] = [await world.message(), await world.message()];
      world.control.setFault({ mode: 'refuse', durationMs: 60_000 });
      // The control stops listening on the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expectTransient((await settle(world.deliver(message, new AbortController().signal))).error);
      world.control.setFault({ mode: 'none' });
      expect(await world.applied(message)).toBe(0);
      // Once the upstream listens again, deliveries go through.
      await waitFor(async () => (await settle(world.deliver(back, new AbortController().signal))).error === null, 5000, 'a delivery after the upstream is back');
      expect(await world.applied(back)).toBe(1);
    });

    test('a business refusal (4xx) is final: never retried as transient', async () => {
      const message = await world.refusedMessage();
      const { error } = await settle(world.deliver(message, new AbortController().signal));
      expect(error).not.toBeNull();
      if (world.refusalCode !== undefined) expect(error).toMatchObject({ code: world.refusalCode });
      if (world.refusal === 'rejected') {
        expect(error).toBeInstanceOf(MessageRejectedError);
      } else {
        expect(error).not.toBeInstanceOf(MessageRejectedError);
        expect(isUpstreamError(error)).toBe(true);
        expect(isUpstreamError(error) && error.transient).toBe(false);
      }
      world.control.setFault({ mode: 'none' });
      expect(await world.applied(message)).toBe(0);
    });

    lookupTest('already applied: false before a delivery, true after it', async () => {
      const lookUp = lookupOf(world);
      const message = await world.message();
      expect(await lookUp(message, new AbortController().signal)).toBe(false);
      await world.deliver(message, new AbortController().signal);
      expect(await lookUp(message, new AbortController().signal)).toBe(true);
      // Another message is not taken for the one delivered.
      expect(await lookUp(await world.message(), new AbortController().signal)).toBe(false);
    });

    lookupTest('already applied: after a call whose answer was lost, the lookup tells what the upstream holds', async () => {
      const lookUp = lookupOf(world);
      // A first delivery opens whatever session the adapter keeps, so the lost answer is the delivery's own.
      await world.deliver(await world.message(), new AbortController().signal);
      const message = await world.message();
      world.control.setFault({ mode: 'lose-answer', durationMs: 60_000 });
      expectTransient((await settle(world.deliver(message, new AbortController().signal))).error);
      world.control.setFault({ mode: 'none' });
      const held = await world.applied(message);
      expect(await lookUp(message, new AbortController().signal)).toBe(held > 0);
    });
  });
}
