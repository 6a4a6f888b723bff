// The faults, one per scenario, injected while the steady load runs. Each `inject` returns once the fault is over
// (the service is back, the upstream recovered, the bus restarted); whatever it broke is put back even if it fails.
import { closeAllBrokerConnections, startPostgres, startRabbitMq, stopPostgres, stopRabbitMq } from './infrastructure';
import type { ChaosSettings } from './settings';
import type { ChaosWorld } from './world';
import type { FaultRequest } from '../testkit/simulators/kit/simulator-control';

export interface ScenarioContext {
  world: ChaosWorld;
  settings: ChaosSettings;
  log(line: string): void;
}

export interface Scenario {
  name: string;
  /** What the scenario does, for the report. */
  description(settings: ChaosSettings): string;
  inject(context: ScenarioContext): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fault of one reference simulator for as long as the fault request says, then none. */
function simulatorFault(
  name: string,
  simulator: 'dvcqg' | 'push' | 'axis',
  fault: (settings: ChaosSettings) => FaultRequest & { durationMs: number },
  description: (settings: ChaosSettings) => string,
): Scenario {
  return {
    name,
    description,
    async inject({ world, settings }) {
      const request = fault(settings);
      const control = world.simulators[simulator].control;
      control.setFault(request);
      try {
        await sleep(request.durationMs);
      } finally {
        control.setFault({ mode: 'none' });
      }
    },
  };
}

/** A service of the machine stopped for serviceDownMs, then started again whatever happened. */
function serviceOutage(name: string, description: (settings: ChaosSettings) => string, stop: () => Promise<void>, start: () => Promise<void>): Scenario {
  return {
    name,
    description,
    async inject({ settings }) {
      await stop();
      try {
        await sleep(settings.serviceDownMs);
      } finally {
        await start();
      }
    },
  };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'broker-connections-closed',
    description: () => 'rabbitmqctl close_all_connections',
    async inject() {
      await closeAllBrokerConnections('lgsp chaos: broker-connections-closed');
    },
  },
  serviceOutage('rabbitmq-restart', (s) => `rabbitmqctl stop_app, ${s.serviceDownMs / 1000} s down, start_app`, stopRabbitMq, startRabbitMq),
  {
    name: 'bus-sigkill',
    description: (s) => `SIGKILL the bus process and start it again on the same config and port, ${s.busKills} times ${s.betweenKillsMs / 1000} s apart`,
    async inject({ world, settings }) {
      for (let kill = 1; kill <= settings.busKills; kill++) {
        if (kill > 1) await sleep(settings.betweenKillsMs);
        await world.killBus();
        await world.startBus();
      }
    },
  },
  simulatorFault('upstream-outage', 'dvcqg', (s) => ({ mode: 'fail', status: 503, durationMs: s.upstreamOutageMs }), (s) => `DVCQG simulator answers 503 to every call for ${s.upstreamOutageMs / 1000} s`),
  simulatorFault(
    'upstream-slow',
    'dvcqg',
    (s) => ({ mode: 'slow', delayMs: s.slowAnswerMs, durationMs: s.upstreamSlowMs }),
    (s) => `DVCQG simulator holds every answer ${s.slowAnswerMs} ms (breaker timeout ${s.breakerTimeoutMs} ms) for ${s.upstreamSlowMs / 1000} s`,
  ),
  simulatorFault('upstream-answer-lost', 'dvcqg', (s) => ({ mode: 'lose-answer', durationMs: s.answerLostMs }), (s) => `DVCQG simulator carries out every call but cuts the connection before answering, for ${s.answerLostMs / 1000} s`),
  simulatorFault('push-answer-lost', 'push', (s) => ({ mode: 'lose-answer', durationMs: s.answerLostMs }), (s) => `QLVB push endpoint takes every e-document but cuts the connection before answering, for ${s.answerLostMs / 1000} s`),
  simulatorFault('axis-answer-lost', 'axis', (s) => ({ mode: 'lose-answer', durationMs: s.answerLostMs }), (s) => `national axis takes every package but cuts the connection before answering, for ${s.answerLostMs / 1000} s`),
  serviceOutage('postgres-restart', (s) => `pg_ctlcluster stop, ${s.serviceDownMs / 1000} s down, start`, stopPostgres, startPostgres),
];
