// W3C Trace Context across every hop, on both transports: a dossier sent with a traceparent is found in an OTLP
// collector stand-in under that trace id (intake, each step, each upstream call), the simulators received the
// traceparent, the audit records keep the trace id and still verify; an e-document fanned out to two recipients stays
// in one trace; with OTLP off nothing is exported and the flow works as before.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Bus } from '../../../src/bus';
import type { AuditRecord } from '../../../src/audit';
import { waitFor } from '../../../testkit/env';
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from '../../../testkit/otlp-collector';
import { startDossierWorld, TEST_ADMIN, type DossierWorld } from '../../../testkit/worlds/dossier-world';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';
import { CLIENT_A, ORGAN_A, ORGAN_C, ORGAN_G, startEdocBus, type EdocBus } from '../../../testkit/worlds/edoc/edoc-bus';

const sample = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/dossier/khai-sinh.json'), 'utf8')) as Record<string, unknown>;
const dossierCode = () => `000.00.04.H10-261127-${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
const SERVER = 2;
const CLIENT = 3;

/** A caller's trace: its traceparent, trace id and the caller's own span id. */
function callerTrace() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function settled(bus: Bus, token: string, id: string): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const res = await request(bus.url()).get(`/api/v1/messages/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
    return ['delivered', 'rejected', 'dead-lettered'].includes(String(res.body.state)) ? (res.body as Record<string, unknown>) : null;
  }, 30_000, `message ${id} settled`);
}

/** The spans of a trace once those named have all arrived. */
async function traceSpans(collector: OtlpCollector, traceId: string, names: string[]): Promise<CollectedSpan[]> {
  return waitFor(() => {
    const spans = collector.spans().filter((s) => s.traceId === traceId);
    return names.every((name) => spans.some((s) => s.name === name)) ? spans : null;
  }, 20_000, `spans ${names.join(', ')} of trace ${traceId}`);
}

/** The traceparents a simulator's GET /__sim/received shows among the headers of what it received. */
async function receivedTraceparents(baseUrl: string): Promise<string[]> {
  const res = await request(new URL(baseUrl).origin).get('/__sim/received').expect(200);
  return (res.body.received as { headers: Record<string, string> }[]).map((r) => r.headers.traceparent).filter((t): t is string => t !== undefined);
}

function traceIdsOf(records: AuditRecord[]): (string | null)[] {
  return records.map((r) => {
    const details = r.details === null ? {} : (JSON.parse(r.details) as Record<string, unknown>);
    return typeof details.traceId === 'string' ? details.traceId : null;
  });
}

describe.each(['embedded', 'amqp'] as const)('trace propagation (%s transport)', (transport) => {
  let collector: OtlpCollector;
  beforeAll(async () => {
    collector = await startOtlpCollector();
  });
  afterAll(async () => collector?.close());

  describe('dossier flow with OTLP on', () => {
    let world: DossierWorld;
    let bus: Bus;
    beforeAll(async () => {
      world = await startDossierWorld({ transport, observability: { otlp: { url: collector.url, exportDelayMs: 50 }, traceViewerUrl: 'http://jaeger:16686/trace/{traceId}' } });
      bus = world.buses[0]!;
    });
    afterAll(async () => world?.dispose());

    test("a dossier sent with a traceparent: intake, every step and every upstream call are spans of the caller's trace", async () => {
      const caller = callerTrace();
      const maHoSo = dossierCode();
      const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).set('traceparent', caller.traceparent).send({ ...sample, MaHoSo: maHoSo }).expect(202);
      const messageId = res.body.messageId as string;
      expect(await settled(bus, world.token, messageId)).toMatchObject({ state: 'delivered' });
      const stages = bus.pipelines.get('dossier-sync')!;
      const stepNames = stages.stages.map((s) => `step ${s.name}`);
      const spans = await traceSpans(collector, caller.traceId, ['POST /api/v1/dossiers', 'accept dossier-sync', 'route dossier-sync', ...stepNames, `deliver ${stages.delivery.name}`]);

      const intake = spans.find((s) => s.name === 'POST /api/v1/dossiers')!;
      expect(intake).toMatchObject({ kind: SERVER, parentSpanId: caller.spanId, service: 'lgsp-bus' });
      expect(intake.attributes['http.response.status_code']).toBe(202);
      const route = spans.find((s) => s.name === 'route dossier-sync')!;
      expect(route.attributes).toMatchObject({ 'lgsp.route': 'dossier-sync', 'lgsp.attempt': 1, 'lgsp.outcome': 'ok', 'lgsp.dossier.ma_ho_so': maHoSo, 'lgsp.message.id': messageId });
      // The route's span continues the accept span the envelope carried through the transport.
      expect(route.parentSpanId).toBe(spans.find((s) => s.name === 'accept dossier-sync')!.spanId);
      for (const name of stepNames) {
        const step = spans.find((s) => s.name === name)!;
        expect(step.parentSpanId).toBe(route.spanId);
        expect(step.attributes).toMatchObject({ 'lgsp.route': 'dossier-sync', 'lgsp.outcome': 'ok', 'lgsp.attempt': 1, 'lgsp.dossier.ma_ho_so': maHoSo });
      }
      // Each upstream call is a client span under a step's span, naming its upstream.
      const calls = spans.filter((s) => s.kind === CLIENT);
      expect(new Set(calls.map((c) => c.attributes['lgsp.adapter']))).toEqual(new Set(['population', 'dvcqg']));
      const stepIds = new Set(spans.filter((s) => s.name.startsWith('step ') || s.name.startsWith('deliver ')).map((s) => s.spanId));
      for (const call of calls) expect(stepIds.has(call.parentSpanId)).toBe(true);

      // Each outbound call sent a traceparent of this trace, and the simulators show it.
      for (const simulator of [world.dvcqg.url, world.population.url]) {
        const traceparents = await receivedTraceparents(simulator);
        expect(traceparents.some((t) => t.split('-')[1] === caller.traceId)).toBe(true);
      }
      // Every audit record of the message keeps the trace id, and the chain still verifies.
      const records = await bus.audit.timeline(messageId);
      expect(records.map((r) => r.step)).toEqual(expect.arrayContaining(['received', 'delivered']));
      expect(new Set(traceIdsOf(records))).toEqual(new Set([caller.traceId]));
      expect((await bus.audit.verify()).ok).toBe(true);
    });

    test('a dossier sent without a traceparent starts a trace at intake; its records keep that trace id', async () => {
      const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).send({ ...sample, MaHoSo: dossierCode() }).expect(202);
      const messageId = res.body.messageId as string;
      await settled(bus, world.token, messageId);
      const [traceId] = traceIdsOf(await bus.audit.timeline(messageId));
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      const spans = await traceSpans(collector, traceId!, ['POST /api/v1/dossiers', 'route dossier-sync']);
      expect(spans.find((s) => s.name === 'POST /api/v1/dossiers')!.parentSpanId).toBe('');
    });

    test('a dossier refused by the population check: the step and the delivery spans say rejected, with its code', async () => {
      const caller = callerTrace();
      const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).set('traceparent', caller.traceparent).send({ ...sample, SoDinhDanh: '026092999999', MaHoSo: dossierCode() }).expect(202);
      expect(await settled(bus, world.token, res.body.messageId as string)).toMatchObject({ state: 'rejected', code: 'CITIZEN_NOT_FOUND' });
      const spans = await traceSpans(collector, caller.traceId, ['route dossier-sync']);
      const route = spans.find((s) => s.name === 'route dossier-sync')!;
      expect(route).toMatchObject({ statusCode: 2, attributes: expect.objectContaining({ 'lgsp.outcome': 'rejected', 'lgsp.code': 'CITIZEN_NOT_FOUND' }) });
      const refusedStep = spans.find((s) => s.name.startsWith('step ') && s.attributes['lgsp.outcome'] === 'rejected')!;
      expect(refusedStep).toMatchObject({ statusCode: 2, parentSpanId: route.spanId, attributes: expect.objectContaining({ 'lgsp.code': 'CITIZEN_NOT_FOUND', 'lgsp.adapter': 'population' }) });
    });

    test('the console timeline names the trace and links it through observability.traceViewerUrl', async () => {
      const caller = callerTrace();
      const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).set('traceparent', caller.traceparent).send({ ...sample, MaHoSo: dossierCode() }).expect(202);
      await settled(bus, world.token, res.body.messageId as string);
      const admin = await request(bus.url()).post('/api/v1/admin/session').send(TEST_ADMIN).expect(200);
      const timeline = await request(bus.url()).get(`/api/v1/admin/messages/${res.body.messageId as string}/timeline`).set('Authorization', `Bearer ${admin.body.token as string}`).expect(200);
      expect(timeline.body.traces).toEqual([{ traceId: caller.traceId, url: `http://jaeger:16686/trace/${caller.traceId}` }]);
    });
  });

  describe('e-document fan-out with OTLP on', () => {
    let edoc: EdocBus;
    beforeAll(async () => {
      edoc = await startEdocBus({ amqp: transport === 'amqp', observability: { otlp: { url: collector.url, exportDelayMs: 50 } } });
    });
    afterAll(async () => edoc?.stop());

    test('a package to a push organ and an axis organ: the fan-out and both deliveries are spans of one trace', async () => {
      const caller = callerTrace();
      const documentId = `${ORGAN_A},2025/03/14,${Date.now() % 1e6}${transport[0]}/UBND-VP`;
      await request(edoc.bus.url())
        .post('/api/v1/edocs')
        .set('Authorization', `Bearer ${edoc.token(CLIENT_A)}`)
        .set('Content-Type', 'application/xml')
        .set('traceparent', caller.traceparent)
        .send(documentPackage({ from: ORGAN_A, to: [ORGAN_C, ORGAN_G], documentId }))
        .expect(202);
      const spans = await traceSpans(collector, caller.traceId, [
        'POST /api/v1/edocs',
        'accept edoc-fanout',
        'route edoc-fanout',
        'accept edoc-push',
        'accept edoc-axis',
        'route edoc-push',
        'route edoc-axis',
      ]);
      const fanout = spans.find((s) => s.name === 'deliver edoc-fanout')!;
      for (const part of ['accept edoc-push', 'accept edoc-axis']) {
        const accept = spans.find((s) => s.name === part)!;
        expect(accept.parentSpanId).toBe(fanout.spanId);
        expect(accept.attributes['lgsp.edoc.document_id']).toBe(documentId);
      }
      const calls = await waitFor(() => {
        const found = collector.spans().filter((s) => s.traceId === caller.traceId && s.kind === CLIENT);
        const adapters = new Set(found.map((c) => c.attributes['lgsp.adapter']));
        return adapters.has('qlvb-push') && adapters.has('document-axis') ? found : null;
      }, 20_000, 'push and axis calls');
      expect(calls.length).toBeGreaterThanOrEqual(2);
      for (const simulator of [edoc.push.url, edoc.axis.url]) {
        expect((await receivedTraceparents(simulator)).some((t) => t.split('-')[1] === caller.traceId)).toBe(true);
      }
    });
  });

  describe('with OTLP off', () => {
    let world: DossierWorld;
    let quiet: OtlpCollector;
    beforeAll(async () => {
      quiet = await startOtlpCollector();
      world = await startDossierWorld({ transport });
    });
    afterAll(async () => {
      await world?.dispose();
      await quiet?.close();
    });

    test('a dossier with a traceparent is delivered as before: no span made, no traceparent sent on, no trace id recorded', async () => {
      const bus = world.buses[0]!;
      expect(bus.tracing.enabled).toBe(false);
      const caller = callerTrace();
      const res = await request(bus.url()).post('/api/v1/dossiers').set('Authorization', `Bearer ${world.token}`).set('traceparent', caller.traceparent).send({ ...sample, MaHoSo: dossierCode() }).expect(202);
      expect(await settled(bus, world.token, res.body.messageId as string)).toMatchObject({ state: 'delivered' });
      expect(traceIdsOf(await bus.audit.timeline(res.body.messageId as string)).every((t) => t === null)).toBe(true);
      expect(await receivedTraceparents(world.dvcqg.url)).toEqual([]);
      expect(await receivedTraceparents(world.population.url)).toEqual([]);
      expect(collector.spans().filter((s) => s.traceId === caller.traceId)).toEqual([]);
      expect(quiet.exports()).toBe(0);
    });
  });
});
