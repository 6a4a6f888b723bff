// Counts what became of a scenario's requests, from the upstreams' side: delivered (the effect is at every upstream it
// was meant for), duplicated (an effect applied more than once), dead-lettered (with the bus's reason), lost (accepted
// and none of these). Reads the simulators' applied effects (DVCQG's dossier store, the push endpoint's applied list,
// the axis's inboxes), not the bus's own opinion of itself.
import type { ChaosSimulators, ListedDeadLetter } from './world';
import type { SentRequest } from './steady-load';
import { AXIS_ORGAN, progressText, PROGRESS_STEPS, type TrafficKind } from './traffic';

/** How often each upstream applied the effect of one business key. */
export interface UpstreamEffects {
  /** DVCQG: DongBoHoSoMC applied (the dossier's syncCount). */
  dvcqgSyncs(maHoSo: string): number;
  /** DVCQG: CapNhatTienDoHoSoMC of one progress step applied. */
  dvcqgProgress(maHoSo: string, step: number): number;
  /** DVCQG: the progress steps of a dossier in the order they arrived. */
  dvcqgProgressOrder(maHoSo: string): number[];
  /** QLVB push endpoint: packages applied (one per Idempotency-Key) and requests received for the document. */
  pushApplied(documentId: string): number;
  pushRequests(documentId: string): number;
  /** National axis: sendEdoc entries stored for the organ outside the province. */
  axisDelivered(documentId: string): number;
}

export interface DeadLetterReason {
  code: string;
  reason: string;
  count: number;
}

export interface EffectCount {
  sent: number;
  accepted: number;
  delivered: number;
  duplicates: number;
  deadLettered: number;
  lost: number;
  /** Sent, accepted, delivered and refused (by HTTP status) per kind of traffic. */
  byKind: Record<TrafficKind, { sent: number; accepted: number; delivered: number; refused: Record<string, number> }>;
  /** Refused requests by HTTP status ("0": connection error or no answer). */
  refused: Record<string, number>;
  /** Not answered 202, yet delivered (e.g. the answer was lost): neither lost nor counted as accepted. */
  deliveredWithoutAccept: number;
  /** Push requests repeated with the same Idempotency-Key, absorbed by the endpoint (not duplicates). */
  absorbedRepeats: number;
  /** Requests the client sent again under their Idempotency-Key (an answer lost, or 503/409), and the extra sends. */
  resent: number;
  resends: number;
  deadLetterReasons: DeadLetterReason[];
  /** The first lost or duplicated messages, for the investigation (business keys are dossier / document codes). */
  examples: { outcome: 'lost' | 'duplicate'; kind: TrafficKind; key: string; messageId: string | null; upstreams: Record<string, number> }[];
}

/** Reads the effects from the in-process simulators, indexing the e-documents once per count. */
export function upstreamEffectsOf(simulators: ChaosSimulators): UpstreamEffects {
  const pushApplied = new Map<string, number>();
  for (const effect of simulators.push.applied('edoc')) {
    const id = effect.routing.documentId ?? '';
    pushApplied.set(id, (pushApplied.get(id) ?? 0) + 1);
  }
  const pushRequests = new Map<string, number>();
  for (const record of simulators.push.control.received('edoc')) {
    const body = record.body as { documentId?: unknown };
    const id = typeof body.documentId === 'string' ? body.documentId : '';
    pushRequests.set(id, (pushRequests.get(id) ?? 0) + 1);
  }
  const axisDelivered = new Map<string, number>();
  for (const entry of simulators.axis.inboxOf(AXIS_ORGAN)) {
    const id = documentIdOf(entry.pkg.bytes);
    axisDelivered.set(id, (axisDelivered.get(id) ?? 0) + 1);
  }
  return {
    dvcqgSyncs: (maHoSo) => simulators.dvcqg.store.dossier(maHoSo)?.syncCount ?? 0,
    dvcqgProgress: (maHoSo, step) => (simulators.dvcqg.store.dossier(maHoSo)?.progress ?? []).filter((p) => p.item.NoiDungXuLy === progressText(step)).length,
    dvcqgProgressOrder: (maHoSo) => (simulators.dvcqg.store.dossier(maHoSo)?.progress ?? []).map((p) => stepOf(p.item.NoiDungXuLy)),
    pushApplied: (id) => pushApplied.get(id) ?? 0,
    pushRequests: (id) => pushRequests.get(id) ?? 0,
    axisDelivered: (id) => axisDelivered.get(id) ?? 0,
  };
}

const STEP_TEXTS = new Map(Array.from({ length: PROGRESS_STEPS }, (_, i) => [progressText(i + 1), i + 1]));
function stepOf(text: string): number {
  return STEP_TEXTS.get(text) ?? 0;
}

/** The edXML header's DocumentId (the first one in the package: the header precedes any ResponseFor). */
function documentIdOf(pkg: Buffer): string {
  return /<(?:[A-Za-z0-9]+:)?DocumentId>([^<]*)<\//.exec(pkg.toString('utf8'))?.[1] ?? '';
}

export function countEffects(requests: readonly SentRequest[], effects: UpstreamEffects, deadLetters: readonly ListedDeadLetter[]): EffectCount {
  // A dead letter belongs to the request whose message id or correlation id (an e-document's parts share the
  // parent's) it carries, or for e-documents whose DocumentId is its subject (a dossier's subject, its MaHoSo, is
  // shared by the dossier and its progress updates).
  const lettersByKey = new Map<string, ListedDeadLetter[]>();
  const index = (key: string | null, letter: ListedDeadLetter) => {
    if (!key) return;
    const list = lettersByKey.get(key) ?? [];
    if (!list.includes(letter)) list.push(letter);
    lettersByKey.set(key, list);
  };
  for (const letter of deadLetters) {
    index(letter.messageId, letter);
    index(letter.correlationId, letter);
    if (letter.type.startsWith('edoc.')) index(letter.subject, letter);
  }
  const count: EffectCount = { sent: requests.length, accepted: 0, delivered: 0, duplicates: 0, deadLettered: 0, lost: 0, byKind: { dossier: emptyKind(), progress: emptyKind(), edoc: emptyKind(), inbound: emptyKind() }, refused: {}, deliveredWithoutAccept: 0, absorbedRepeats: 0, resent: 0, resends: 0, deadLetterReasons: [], examples: [] };
  const reasons = new Map<string, DeadLetterReason>();
  for (const request of requests) {
    const applied = appliedCounts(request, effects);
    const delivered = applied.every((n) => n >= 1);
    const extra = applied.reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    const kind = count.byKind[request.kind];
    kind.sent++;
    if (request.attempts > 1) {
      count.resent++;
      count.resends += request.attempts - 1;
    }
    if (request.kind === 'edoc') count.absorbedRepeats += Math.max(0, effects.pushRequests(request.key) - effects.pushApplied(request.key));
    if (extra > 0) {
      count.duplicates += extra;
      if (count.examples.length < 20) count.examples.push({ outcome: 'duplicate', kind: request.kind, key: request.key, messageId: request.messageId, upstreams: appliedByUpstream(request, applied) });
    }
    if (request.status !== 202) {
      count.refused[String(request.status)] = (count.refused[String(request.status)] ?? 0) + 1;
      kind.refused[String(request.status)] = (kind.refused[String(request.status)] ?? 0) + 1;
      if (delivered) count.deliveredWithoutAccept++;
      continue;
    }
    count.accepted++;
    kind.accepted++;
    if (delivered) {
      count.delivered++;
      kind.delivered++;
      continue;
    }
    const byDocumentId = request.kind === 'edoc' || request.kind === 'inbound';
    const letters = [...(lettersByKey.get(request.messageId ?? '') ?? []), ...(byDocumentId ? (lettersByKey.get(request.key) ?? []) : [])];
    if (letters.length > 0) {
      count.deadLettered++;
      const letter = letters[0]!;
      const reasonKey = `${letter.code}\u0000${letter.reason}`;
      const reason = reasons.get(reasonKey) ?? { code: letter.code, reason: letter.reason.slice(0, 300), count: 0 };
      reason.count++;
      reasons.set(reasonKey, reason);
      continue;
    }
    count.lost++;
    if (count.examples.length < 20) count.examples.push({ outcome: 'lost', kind: request.kind, key: request.key, messageId: request.messageId, upstreams: appliedByUpstream(request, applied) });
  }
  count.deadLetterReasons = [...reasons.values()].sort((a, b) => b.count - a.count);
  return count;
}

function emptyKind(): EffectCount['byKind'][TrafficKind] {
  return { sent: 0, accepted: 0, delivered: 0, refused: {} };
}

/** How often each upstream the request was meant for applied it, by upstream name (for the examples). */
function appliedByUpstream(request: SentRequest, applied: number[]): Record<string, number> {
  const names = request.kind === 'edoc' ? ['push', 'axis'] : request.kind === 'inbound' ? ['push'] : ['dvcqg'];
  return Object.fromEntries(names.map((name, i) => [name, applied[i] ?? 0]));
}

function appliedCounts(request: SentRequest, effects: UpstreamEffects): number[] {
  if (request.kind === 'dossier') return [effects.dvcqgSyncs(request.key)];
  if (request.kind === 'progress') {
    const [maHoSo, step] = splitProgressKey(request.key);
    return [effects.dvcqgProgress(maHoSo, step)];
  }
  // A document from the axis is meant for the push organ alone.
  if (request.kind === 'inbound') return [effects.pushApplied(request.key)];
  return [effects.pushApplied(request.key), effects.axisDelivered(request.key)];
}

function splitProgressKey(key: string): [string, number] {
  const at = key.lastIndexOf('#');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

/** Progress steps of the dossiers that reached DVCQG before an earlier accepted step of the same dossier. */
export function progressOutOfOrder(requests: readonly SentRequest[], effects: UpstreamEffects): number {
  const acceptedSteps = new Map<string, number[]>();
  for (const r of requests) {
    if (r.kind !== 'progress' || r.status !== 202) continue;
    const [maHoSo, step] = splitProgressKey(r.key);
    acceptedSteps.set(maHoSo, [...(acceptedSteps.get(maHoSo) ?? []), step]);
  }
  let outOfOrder = 0;
  for (const [maHoSo, steps] of acceptedSteps) {
    const arrived = effects.dvcqgProgressOrder(maHoSo).filter((s) => steps.includes(s));
    for (let i = 1; i < arrived.length; i++) if (arrived[i]! < arrived[i - 1]!) outOfOrder++;
  }
  return outOfOrder;
}
