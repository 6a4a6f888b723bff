// The faults, one per scenario, injected while the steady load runs. Each `inject` returns once the fault is over
// (the service is back, the upstream recovered, the bus restarted); whatever it broke is put back even if it fails.
import { closeAllBrokerConnections, startPostgres, startRabbitMq, stopPostgres, stopRabbitMq } from './infrastructure';
import type { ChaosSettings } from './settings';
import type { ChaosWorld } from './world';

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

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'broker-connections-closed',
    description: () => 'rabbitmqctl close_all_connections',
    async inject() {
      await closeAllBrokerConnections('lgsp chaos: broker-connections-closed');
    },
  },
  {
    name: 'rabbitmq-restart',
    description: (s) => `rabbitmqctl stop_app, ${s.serviceDownMs / 1000} s down, start_app`,
    async inject({ settings }) {
      await stopRabbitMq();
      try {
        await sleep(settings.serviceDownMs);
      } finally {
        await startRabbitMq();
      }
    },
  },
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
  {
    name: 'upstream-outage',
    description: (s) => `DVCQG simulator answers 503 to every call for ${s.upstreamOutageMs / 1000} s`,
    async inject({ world, settings }) {
      world.simulators.dvcqg.control.setFault({ mode: 'fail', status: 503, durationMs: settings.upstreamOutageMs });
      try {
        await sleep(settings.upstreamOutageMs);
      } finally {
        world.simulators.dvcqg.control.setFault({ mode: 'none' });
      }
    },
  },
  {
    name: 'upstream-slow',
    description: (s) => `DVCQG simulator holds every answer ${s.slowAnswerMs} ms (breaker timeout ${s.breakerTimeoutMs} ms) for ${s.upstreamSlowMs / 1000} s`,
    async inject({ world, settings }) {
      world.simulators.dvcqg.control.setFault({ mode: 'slow', delayMs: settings.slowAnswerMs, durationMs: settings.upstreamSlowMs });
      try {
        await sleep(settings.upstreamSlowMs);
      } finally {
        world.simulators.dvcqg.control.setFault({ mode: 'none' });
      }
    },
  },
  {
    name: 'upstream-answer-lost',
    description: (s) => `DVCQG simulator carries out every call but cuts the connection before answering, for ${s.answerLostMs / 1000} s`,
    async inject({ world, settings }) {
      world.simulators.dvcqg.control.setFault({ mode: 'lose-answer', durationMs: settings.answerLostMs });
      try {
        await sleep(settings.answerLostMs);
      } finally {
        world.simulators.dvcqg.control.setFault({ mode: 'none' });
      }
    },
  },
  {
    name: 'push-answer-lost',
    description: (s) => `QLVB push endpoint takes every e-document but cuts the connection before answering, for ${s.answerLostMs / 1000} s`,
    async inject({ world, settings }) {
      world.simulators.push.control.setFault({ mode: 'lose-answer', durationMs: settings.answerLostMs });
      try {
        await sleep(settings.answerLostMs);
      } finally {
        world.simulators.push.control.setFault({ mode: 'none' });
      }
    },
  },
  {
    name: 'axis-answer-lost',
    description: (s) => `national axis takes every package but cuts the connection before answering, for ${s.answerLostMs / 1000} s`,
    async inject({ world, settings }) {
      world.simulators.axis.control.setFault({ mode: 'lose-answer', durationMs: settings.answerLostMs });
      try {
        await sleep(settings.answerLostMs);
      } finally {
        world.simulators.axis.control.setFault({ mode: 'none' });
      }
    },
  },
  {
    name: 'postgres-restart',
    description: (s) => `pg_ctlcluster stop, ${s.serviceDownMs / 1000} s down, start`,
    async inject({ settings }) {
      await stopPostgres();
      try {
        await sleep(settings.serviceDownMs);
      } finally {
        await startPostgres();
      }
    },
  },
];
