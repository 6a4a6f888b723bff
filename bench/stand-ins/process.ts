// The bench's stand-in process (forked by bench/stand-ins/index.ts): DVCQG, the population database and a QLVB push
// endpoint on plain node:http servers, each answering from prepared bytes, in a process of their own so that their CPU
// per call is measured apart from the bench's load generator.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { POPULATION_SERVICE_PATH } from '../../testkit/simulators/population';
import { DvcqgStandIn } from './dvcqg';
import { answerPopulation, preparePopulationAnswers } from './population';
import type { PreparedAnswer } from './prepared-answer';
import type { FromStandIns, StandInSettings, StatsRequest } from './protocol';
import { QlvbPushStandIn } from './qlvb-push';

const calls: Record<string, number> = {};
const count = (kind: string) => void (calls[kind] = (calls[kind] ?? 0) + 1);
const send = (message: FromStandIns) => process.send?.(message);

function reply(res: ServerResponse, answer: PreparedAnswer): void {
  res.writeHead(answer.status, { 'Content-Type': answer.contentType, 'Content-Length': answer.body.length });
  res.end(answer.body);
}

/** Reads a small body as UTF-8 text, then answers with `handle`'s answer. */
function textBody(handle: (req: IncomingMessage, body: string) => PreparedAnswer) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => reply(res, handle(req, (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'))));
  };
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer({ keepAliveTimeout: 60_000 }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as StandInSettings;

  // Dossiers stored for the first time, sent to the bench in batches (one IPC message per 20 ms at most).
  let stored: [string, number][] = [];
  const flush = () => {
    send({ type: 'stored', entries: stored });
    stored = [];
  };
  const dvcqg = new DvcqgStandIn({
    credentials: settings.dvcqg,
    onStored: (code) => {
      if (stored.length === 0) setTimeout(flush, 20);
      stored.push([code, performance.timeOrigin + performance.now()]);
    },
  });
  const dvcqgServer = await listen(
    textBody((req, body) => {
      const { kind, answer } = dvcqg.answer(req.url ?? '', body);
      count(`dvcqg.${kind}`);
      return answer;
    }),
  );

  const populationAnswers = await preparePopulationAnswers(settings.population);
  let populationCredentials = { ...settings.population, authUrl: '' };
  const populationServer = await listen(
    textBody((req, body) => {
      count(body.includes('XacThucThongTinCongDanRequest>') ? 'population.033' : 'population.037');
      return answerPopulation(populationAnswers, populationCredentials, req.headers, body);
    }),
  );
  const populationUrl = `${populationServer.origin}${POPULATION_SERVICE_PATH}`;
  populationCredentials = { ...settings.population, authUrl: populationUrl };

  const push = new QlvbPushStandIn(settings.pushToken);
  const pushServer = await listen((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => void (bytes += chunk.length));
    req.on('end', () => {
      const { kind, answer } = push.answer(req.url ?? '', req.headers, bytes);
      count(`push.${kind}`);
      reply(res, answer);
    });
  });

  process.on('message', (message: StatsRequest) => {
    if (message.type !== 'stats') return;
    const cpu = process.cpuUsage();
    send({ type: 'stats', id: message.id, cpuUs: cpu.user + cpu.system, calls: { ...calls }, dossiersStored: dvcqg.storedCount, dossierResyncs: dvcqg.resyncs, pushesApplied: push.appliedCount });
  });
  process.on('disconnect', () => {
    for (const { server } of [dvcqgServer, populationServer, pushServer]) server.closeAllConnections();
    process.exit(0);
  });
  send({ type: 'ready', urls: { dvcqg: dvcqgServer.origin, population: populationUrl, push: pushServer.origin } });
}

main().catch((error: Error) => {
  process.stderr.write(`stand-ins failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
