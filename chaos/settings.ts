// How long and how hard a chaos run pushes: the quick form for CI (a few hundred messages per scenario) and the full form.
export interface ChaosSettings {
  mode: 'quick' | 'full';
  /** What differs from the description of the scenarios, for the report. */
  note: string;
  /** Steady load while a scenario runs: dossier journeys (a dossier and its progress updates: 3 messages) per second. */
  dossiersPerSec: number;
  edocsPerSec: number;
  /** Documents a ministry sends the push organ through the national axis (queued at the axis simulator). */
  inboundPerSec: number;
  /** Load before the fault is injected, and after it is over. */
  beforeFaultMs: number;
  afterFaultMs: number;
  /** SIGKILLs of the bus in bus-sigkill (each followed by a restart), and the load between them. */
  busKills: number;
  betweenKillsMs: number;
  /** How long RabbitMQ / PostgreSQL stay down in the restart scenarios. */
  serviceDownMs: number;
  /** The upstream failing every call, then answering slower than the breaker timeout. */
  upstreamOutageMs: number;
  upstreamSlowMs: number;
  /** The upstream carrying out every call but its answers lost (the connection cut before the answer). */
  answerLostMs: number;
  /** The breaker timeout of the DVCQG calls, and how long the slow upstream holds each answer. */
  breakerTimeoutMs: number;
  slowAnswerMs: number;
  /** After the load stops: how long to wait for every accepted message to be delivered or dead-lettered. */
  drainDeadlineMs: number;
  /** A request with no answer by then counts as sent, not accepted. */
  requestTimeoutMs: number;
  /** Dossiers and progress updates (with an Idempotency-Key) are sent again while unanswered or 503/409, this long. */
  resendForMs: number;
}

const QUICK: ChaosSettings = {
  mode: 'quick',
  note: 'quick form: the upstream outage and the slow upstream last 10 s instead of 30 s, lost answers 5 s; RabbitMQ and PostgreSQL are down 3 s',
  dossiersPerSec: 10,
  edocsPerSec: 2,
  inboundPerSec: 1,
  beforeFaultMs: 4000,
  afterFaultMs: 4000,
  busKills: 2,
  betweenKillsMs: 3000,
  serviceDownMs: 3000,
  // Shortened from the 30 s so the CI form stays short; the full form keeps 30 s.
  upstreamOutageMs: 10_000,
  upstreamSlowMs: 10_000,
  answerLostMs: 5000,
  breakerTimeoutMs: 1000,
  slowAnswerMs: 2500,
  drainDeadlineMs: 120_000,
  requestTimeoutMs: 30_000,
  resendForMs: 30_000,
};

const FULL: ChaosSettings = {
  ...QUICK,
  mode: 'full',
  note: 'full form: the upstream outage and the slow upstream last 30 s, lost answers 15 s; RabbitMQ and PostgreSQL are down 10 s',
  dossiersPerSec: 20,
  edocsPerSec: 4,
  inboundPerSec: 2,
  beforeFaultMs: 10_000,
  afterFaultMs: 10_000,
  busKills: 3,
  betweenKillsMs: 5000,
  serviceDownMs: 10_000,
  upstreamOutageMs: 30_000,
  upstreamSlowMs: 30_000,
  answerLostMs: 15_000,
  drainDeadlineMs: 180_000,
};

export function chaosSettings(argv: readonly string[]): ChaosSettings {
  return argv.includes('--quick') ? QUICK : FULL;
}
