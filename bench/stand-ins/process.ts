// The bench's stand-in process (forked by bench/stand-ins/index.ts): DVCQG, the population database and a QLVB push
// endpoint on the stand-ins' own HTTP/1.1 server (http1-server.ts), each answering from prepared bytes, in a process of
// their own so that their CPU per call is measured apart from the bench's load generator.
import { performance } from 'node:perf_hooks';
import { POPULATION_SERVICE_PATH } from '../../testkit/simulators/population';
import { DvcqgStandIn } from './dvcqg';
import { answerPopulation, preparePopulationAnswers } from './population';
import { bodyBytes, listenHttp1 } from './http1-server';
import type { FromStandIns, StandInSettings, StatsRequest } from './protocol';
import { QlvbPushStandIn } from './qlvb-push';

const calls: Record<string, number> = {};
const count = (kind: string) => void (calls[kind] = (calls[kind] ?? 0) + 1);
/** To the bench while it is connected: a batch of stored dossiers flushed after it disconnected has no one to read it. */
const send = (message: FromStandIns) => void (process.connected && process.send?.(message));

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2] ?? '{}') as StandInSettings;

  // Dossiers stored for the first time, sent to the bench in batches (one IPC message per 100 ms at most): each carries
  // its store time, so the batching delays only when the bench learns of them, and each message wakes both processes.
  let stored: [string, number][] = [];
  const flush = () => {
    send({ type: 'stored', entries: stored });
    stored = [];
  };
  const dvcqg = new DvcqgStandIn({
    credentials: settings.dvcqg,
    onStored: (code) => {
      if (stored.length === 0) setTimeout(flush, 100);
      stored.push([code, performance.timeOrigin + performance.now()]);
    },
  });
  const dvcqgServer = await listenHttp1((request) => {
    const { kind, answer } = dvcqg.answer(request.target, bodyBytes(request));
    count(`dvcqg.${kind}`);
    return answer;
  });

  const populationAnswers = await preparePopulationAnswers(settings.population);
  let populationCredentials = { ...settings.population, authUrl: '' };
  const populationServer = await listenHttp1((request) => {
    const { kind, answer } = answerPopulation(populationAnswers, populationCredentials, request.headers, bodyBytes(request));
    count(`population.${kind}`);
    return answer;
  });
  const populationUrl = `${populationServer.origin}${POPULATION_SERVICE_PATH}`;
  populationCredentials = { ...settings.population, authUrl: populationUrl };

  const push = new QlvbPushStandIn(settings.pushToken);
  const pushServer = await listenHttp1((request) => {
    const { kind, answer } = push.answer(request.target, request.headers, request.bodyLength);
    count(`push.${kind}`);
    return answer;
  });

  process.on('message', (message: StatsRequest) => {
    if (message.type !== 'stats') return;
    const cpu = process.cpuUsage();
    send({ type: 'stats', id: message.id, cpuUs: cpu.user + cpu.system, calls: { ...calls }, dossiersStored: dvcqg.storedCount, dossierResyncs: dvcqg.resyncs, pushesApplied: push.appliedCount });
  });
  process.on('disconnect', () => {
    for (const server of [dvcqgServer, populationServer, pushServer]) server.close();
    process.exit(0);
  });
  send({ type: 'ready', urls: { dvcqg: dvcqgServer.origin, population: populationUrl, push: pushServer.origin } });
}

main().catch((error: Error) => {
  process.stderr.write(`stand-ins failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
