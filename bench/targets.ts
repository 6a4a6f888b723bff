// The bench's figures against the targets of issue #16: which are met, and the table `npm run bench` prints (each
// figure, its target, met or not, and the raw baseline and the ceilings of the same run for context).

type Results = Record<string, unknown>;

export interface TargetCheck {
  figure: string;
  value: string;
  target: string;
  /** null: not measured in this run (or not enough runs yet). */
  met: boolean | null;
}

const num = (out: Results, key: string): number | null => (typeof out[key] === 'number' && Number.isFinite(out[key]) ? (out[key] as number) : null);
const show = (value: number | null, unit = ''): string => (value === null ? 'not measured' : `${value}${unit}`);
const atMost = (value: number | null, limit: number): boolean | null => (value === null ? null : value <= limit);
const atLeast = (value: number | null, limit: number | null): boolean | null => (value === null || limit === null ? null : value >= limit);

/** Every target of issue #16, keyed by the results key it judges. */
export function evaluateTargets(out: Results): Record<string, TargetCheck> {
  const p99s = Array.isArray(out.e2eP99MsLastThreeRuns) ? (out.e2eP99MsLastThreeRuns as (number | null)[]) : [];
  const accept = num(out, 'acceptPerSec');
  return {
    intakeCpuRatio: {
      figure: 'intake: bus CPU per accepted dossier ÷ raw baseline server CPU per request',
      value: `${show(num(out, 'busIntakeCpuMs'), ' ms')} ÷ ${show(num(out, 'rawBaselineCpuMs'), ' ms')} = ${show(num(out, 'intakeCpuRatio'), '×')}`,
      target: '≤ 2×',
      met: atMost(num(out, 'intakeCpuRatio'), 2),
    },
    busDeliveryCpuMs: { figure: 'bus CPU per delivered dossier', value: show(num(out, 'busDeliveryCpuMs'), ' ms'), target: '≤ 0.6 ms', met: atMost(num(out, 'busDeliveryCpuMs'), 0.6) },
    e2ePerSec: { figure: 'end to end, intake → DVCQG stand-in', value: show(num(out, 'e2ePerSec'), '/s'), target: '≥ 1,000/s', met: atLeast(num(out, 'e2ePerSec'), 1000) },
    e2eP99Ms: { figure: 'end-to-end p99 at half that rate, this run', value: show(num(out, 'e2eP99Ms'), ' ms'), target: '≤ 50 ms', met: atMost(num(out, 'e2eP99Ms'), 50) },
    e2eP99MsLastThreeRuns: {
      figure: 'end-to-end p99, each of the last three full runs',
      value: p99s.length === 0 ? 'no full run yet' : p99s.map((p) => (p === null ? 'n/a' : `${p} ms`)).join(', '),
      target: '≤ 50 ms in each of 3',
      met: p99s.length < 3 ? null : p99s.every((p) => p !== null && p <= 50),
    },
    embeddedAcceptPerSec: { figure: 'embedded default (SQLite): intake rate', value: `${show(num(out, 'embeddedAcceptPerSec'), '/s')} (RabbitMQ mode ${show(accept, '/s')})`, target: '≥ the RabbitMQ mode', met: atLeast(num(out, 'embeddedAcceptPerSec'), accept) },
    embeddedAcceptP99Ms: { figure: 'embedded default: intake p99', value: show(num(out, 'embeddedAcceptP99Ms'), ' ms'), target: '≤ 100 ms', met: atMost(num(out, 'embeddedAcceptP99Ms'), 100) },
    edocPerSec: { figure: 'e-documents, 1 MiB attachment, 3 recipients', value: show(num(out, 'edocPerSec'), '/s'), target: '≥ 50/s', met: atLeast(num(out, 'edocPerSec'), 50) },
    edocBusCpuMsPerMiB: { figure: 'e-documents: bus CPU per MiB of package', value: show(num(out, 'edocBusCpuMsPerMiB'), ' ms'), target: '≤ 8 ms', met: atMost(num(out, 'edocBusCpuMsPerMiB'), 8) },
    largeEdocPeakRssMb: { figure: '8 concurrent 20 MiB attachments: bus peak RSS', value: show(num(out, 'largeEdocPeakRssMb'), ' MB'), target: '≤ 300 MB', met: atMost(num(out, 'largeEdocPeakRssMb'), 300) },
    largeEdocMaxLoopStallMs: { figure: '8 concurrent 20 MiB attachments: longest event-loop stall', value: show(num(out, 'largeEdocMaxLoopStallMs'), ' ms'), target: '≤ 50 ms', met: atMost(num(out, 'largeEdocMaxLoopStallMs'), 50) },
    standInCpuMsPerCall: { figure: 'upstream stand-ins: CPU per call', value: show(num(out, 'standInCpuMsPerCall') === null ? null : Math.round(num(out, 'standInCpuMsPerCall')! * 1000), ' µs'), target: '≤ 100 µs', met: atMost(num(out, 'standInCpuMsPerCall'), 0.1) },
    standInsAccepted: {
      figure: 'stand-ins accepted by the bus (all stored once, sample "delivered")',
      value: out.standInsAccepted === undefined ? 'not measured' : String(out.standInsAccepted),
      target: 'true',
      met: typeof out.standInsAccepted === 'boolean' ? out.standInsAccepted : null,
    },
  };
}

/** Figures printed under the targets for context: same run, no target of their own. */
function contextRows(out: Results, cores: number): [string, string][] {
  const v = (k: string, unit = '') => show(num(out, k), unit);
  return [
    ['raw baseline (express + quorum queue + confirm)', `${v('rawBaselinePerSec', '/s')}, server CPU ${v('rawBaselineCpuMs', ' ms')} per request`],
    ['dossier intake, 50 connections (RabbitMQ + PostgreSQL)', `${v('acceptPerSec', '/s')}  p50 ${v('acceptP50Ms', ' ms')}  p99 ${v('acceptP99Ms', ' ms')}`],
    [`end-to-end ceiling of ${cores} cores: CPU per dossier on the path (bus, RabbitMQ, PostgreSQL, stand-ins)`, `${v('e2eCeilingPerSec', '/s')} (${v('e2eCpuMsPerDossier', ' ms')} per dossier; with a bus costing 0: ${v('e2eCeilingWithoutBusPerSec', '/s')})`],
    [
      'half-load dossiers over 50 ms, untraced (causes in detail.e2eLatency.tail)',
      `${v('e2eSlowDossiers')}, untraced ${v('e2eSlowDossiersUntraced')}; p99 without the bus's full collections ${v('e2eP99WithoutFullCollectionsMs', ' ms')}`,
    ],
    ['end to end against the reference simulators (short window)', v('e2ePerSecReferenceSimulators', '/s')],
    [`e-documents (1 MiB): ceiling of ${cores} cores at the path's CPU per document (bus, RabbitMQ, PostgreSQL, stand-ins)`, `${v('edocCeilingPerSec', '/s')} (${v('edocPathCpuMsPerDocument', ' ms')} per document)`],
    [
      'e-documents: bus CPU per document, 1 MiB / 1 KiB attachment; per MiB the larger adds',
      `${v('edocBusCpuMsPerDocument', ' ms')} / ${v('edocSmallBusCpuMsPerDocument', ' ms')}; ${v('edocBusCpuMsPerMiBBeyondSmall', ' ms')} (1 KiB documents: ${v('edocSmallPerSec', '/s')})`,
    ],
    ['two bus processes: intake / end to end', `${v('scaleOut2AcceptPerSec', '/s')} / ${v('scaleOut2E2ePerSec', '/s')}`],
    ['peak RSS of the bus process (RabbitMQ / embedded)', `${v('peakRssMb', ' MB')} / ${v('embeddedPeakRssMb', ' MB')}`],
  ];
}

export function printTargetTable(out: Results, targets: Record<string, TargetCheck>, cores: number): void {
  const rows = Object.values(targets);
  const w = [Math.max(...rows.map((r) => r.figure.length)), Math.max(...rows.map((r) => r.value.length)), Math.max(...rows.map((r) => r.target.length))];
  const mark = (met: boolean | null) => (met === null ? 'n/a' : met ? 'met' : 'NOT MET');
  process.stdout.write(`\nLGSP bench (${String(out.mode)}): figures against the targets of issue #16\n`);
  process.stdout.write(`  ${'figure'.padEnd(w[0]!)}  ${'value'.padEnd(w[1]!)}  ${'target'.padEnd(w[2]!)}  met\n`);
  for (const r of rows) process.stdout.write(`  ${r.figure.padEnd(w[0]!)}  ${r.value.padEnd(w[1]!)}  ${r.target.padEnd(w[2]!)}  ${mark(r.met)}\n`);
  process.stdout.write('\n  same run, for context:\n');
  const context = contextRows(out, cores);
  const cw = Math.max(...context.map((r) => r[0].length));
  for (const [k, val] of context) process.stdout.write(`  ${k.padEnd(cw)}  ${val}\n`);
  if (out.noisyMachine) process.stdout.write(`  warning: ${String(out.noisyMachine)}; compare runs on a quiet machine\n`);
  process.stdout.write('\n');
}
