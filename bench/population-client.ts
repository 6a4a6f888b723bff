// Cost of one population lookup on the client side: N lookups (037) against the population simulator, which runs in a
// child process so that process.cpuUsage() counts the client alone.
//   npm run build && node dist/bench/population-client.js [N=2000] [concurrency=1]
import { fork } from 'node:child_process';
import { PopulationClient } from '../src/upstreams/population';
import { SAMPLE_CITIZENS, startPopulationSimulator } from '../testkit/simulators/population';
import { DEMO_POPULATION_CREDENTIALS } from '../testkit/simulators/reference';

interface SimulatorReady {
  url: string;
}

async function runSimulator(): Promise<void> {
  const sim = await startPopulationSimulator({ credentials: { ...DEMO_POPULATION_CREDENTIALS } });
  process.send?.({ url: sim.url } satisfies SimulatorReady);
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
}

async function measure(n: number, concurrency: number): Promise<void> {
  const child = fork(__filename, ['--simulator']);
  const { url } = await new Promise<SimulatorReady>((resolve) => child.once('message', (m) => resolve(m as SimulatorReady)));
  const client = await PopulationClient.create({
    endpoint: url,
    credentials: { ...DEMO_POPULATION_CREDENTIALS },
    requestContext: { maDvc: 'VPCP', maCanBo: '001090000001' },
  });
  const tai = SAMPLE_CITIZENS.daoVanTai;
  const request = { soDinhDanh: tai.soDinhDanh, hoVaTen: tai.hoVaTen, ngaySinh: tai.ngaySinh };
  const run = async (count: number): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next++ < count) {
        const result = await client.lookupCitizen(request);
        if (result.status !== 'found') throw new Error(`unexpected ${result.status}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };

  await run(200); // warm-up: JIT, keep-alive connections
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run(n);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const perCall = (us: number): number => Math.round(us / n);
  console.log(
    JSON.stringify({
      n,
      concurrency,
      callsPerSec: Math.round(n / seconds),
      // System time includes the kernel's loopback TCP work, which the writing side pays for.
      clientCpuUsPerCall: { total: perCall(used.user + used.system), user: perCall(used.user), system: perCall(used.system) },
    }),
  );
  await client.close();
  child.disconnect();
}

if (process.argv.includes('--simulator')) {
  void runSimulator();
} else {
  const [n = 2000, concurrency = 1] = process.argv.slice(2).map(Number);
  measure(n, concurrency).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
