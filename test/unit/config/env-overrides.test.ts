// The LGSP__<PATH> naming rule: any key of bus.yaml from the environment, mapped before validation.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { applyPathOverrides, envNameOf, envSegmentOf } from '../../../src/config/env-overrides';
import { ConfigError } from '../../../src/config/load-config';
import { loadBusConfig } from '../../../src/bus-config';
import { SHIPPED_FLOW_SECRET_ENV } from '../../../testkit/production-secrets';

const repoConfig = path.resolve(__dirname, '../../../config');
const shipped = (): Record<string, unknown> => YAML.parse(readFileSync(path.join(repoConfig, 'bus.yaml'), 'utf8')) as Record<string, unknown>;

describe('the naming rule', () => {
  test.each([
    ['bodyLimitBytes', 'BODY_LIMIT_BYTES'],
    ['url', 'URL'],
    ['000.00.03.H10', '000_00_03_H10'],
    ['hook-a', 'HOOK_A'],
    ['amqpUrl', 'AMQP_URL'],
  ])('key %s is segment %s', (key, segment) => {
    expect(envSegmentOf(key)).toBe(segment);
  });

  test('a path is LGSP__ and its segments joined by __', () => {
    expect(envNameOf(['flows', 'dossier', 'dvcqg', 'url'])).toBe('LGSP__FLOWS__DOSSIER__DVCQG__URL');
    expect(envNameOf(['flows', 'edoc', 'organs', '000.00.03.H10', 'pushUrl'])).toBe('LGSP__FLOWS__EDOC__ORGANS__000_00_03_H10__PUSH_URL');
  });
});

describe('applyPathOverrides', () => {
  test('sets existing keys, map keys by their segment, defaults by camelCase, list items by index; types follow the setting', () => {
    const raw = shipped();
    const result = applyPathOverrides(raw, {
      LGSP__FLOWS__DOSSIER__DVCQG__URL: 'https://adapter.dichvucong.gov.vn',
      LGSP__FLOWS__EDOC__ORGANS__000_00_03_H10__PUSH_URL: 'https://qlvb.budang.example/push',
      LGSP__HTTP__PORT: '9090',
      LGSP__TRANSPORT__EMBEDDED_SYNCHRONOUS: 'NORMAL',
      LGSP__FLOWS__DOSSIER__POPULATION__MA_CAN_BO: '012345678901',
      LGSP__CLIENTS__1__NAME: 'QLVB Đồng Xoài',
      LGSP__FLOWS__DOSSIER__DVCQG__BREAKER__PROBE_INTERVAL_MS: '2000',
      LGSP__AUDIT__RETENTION: '{ keepDays: 365 }',
      LGSP_HTTP_HOST: 'not a path override',
    });
    expect(result.problems).toEqual([]);
    expect(result.applied.map((a) => a.path)).toEqual([
      'audit.retention',
      'clients.1.name',
      'flows.dossier.dvcqg.breaker.probeIntervalMs',
      'flows.dossier.dvcqg.url',
      'flows.dossier.population.maCanBo',
      'flows.edoc.organs.000.00.03.H10.pushUrl',
      'http.port',
      'transport.embeddedSynchronous',
    ]);
    const bus = raw as {
      http: { port: unknown };
      clients: { name: string }[];
      audit: { retention: unknown };
      transport: { embeddedSynchronous: unknown };
      flows: { dossier: { dvcqg: { url: string; breaker: { probeIntervalMs: unknown } }; population: { maCanBo: unknown } }; edoc: { organs: Record<string, { pushUrl: string }> } };
    };
    expect(bus.flows.dossier.dvcqg.url).toBe('https://adapter.dichvucong.gov.vn');
    expect(bus.flows.edoc.organs['000.00.03.H10']!.pushUrl).toBe('https://qlvb.budang.example/push');
    expect(bus.http.port).toBe(9090);
    expect(bus.transport.embeddedSynchronous).toBe('NORMAL');
    // A string setting keeps the text as given: leading zeros survive.
    expect(bus.flows.dossier.population.maCanBo).toBe('012345678901');
    expect(bus.clients[1]!.name).toBe('QLVB Đồng Xoài');
    expect(bus.flows.dossier.dvcqg.breaker.probeIntervalMs).toBe(2000);
    expect(bus.audit.retention).toEqual({ keepDays: 365 });
  });

  test('a bad segment, an index outside a list and a path through a single value are named', () => {
    const { problems } = applyPathOverrides(shipped(), {
      LGSP__HTTP__port: '1',
      LGSP__CLIENTS__99__NAME: 'x',
      LGSP__HTTP__PORT__VALUE: '1',
    });
    expect(problems).toEqual([
      'environment: LGSP__CLIENTS__99__NAME: clients is a list of 5; 99 is not an index in it',
      'environment: LGSP__HTTP__PORT__VALUE: http.port is a single value, not a mapping',
      'environment: LGSP__HTTP__port: segments are upper-case letters, digits and single underscores, joined by __',
    ]);
  });
});

describe('loadConfig with LGSP__ overrides', () => {
  const load = (env: Record<string, string>) => loadBusConfig({ configDir: repoConfig, env: { ...SHIPPED_FLOW_SECRET_ENV, ...env } });

  test('every upstream URL of the shipped config is overridable', () => {
    const config = load({
      LGSP__FLOWS__DOSSIER__DVCQG__URL: 'https://adapter.dichvucong.gov.vn',
      LGSP__FLOWS__DOSSIER__POPULATION__URL: 'https://csdldc.example/dancu/037',
      LGSP__FLOWS__EDOC__AXIS__URL: 'https://truc.example/vxp',
      LGSP__FLOWS__EDOC__ORGANS__000_00_03_H10__PUSH_URL: 'https://qlvb.budang.example/push',
    });
    const dossier = config.flows.dossier as { dvcqg: { url: string }; population: { url: string } };
    const edoc = config.flows.edoc as { axis: { url: string }; organs: Record<string, { pushUrl?: string }> };
    expect([dossier.dvcqg.url, dossier.population.url, edoc.axis.url, edoc.organs['000.00.03.H10']!.pushUrl]).toEqual([
      'https://adapter.dichvucong.gov.vn',
      'https://csdldc.example/dancu/037',
      'https://truc.example/vxp',
      'https://qlvb.budang.example/push',
    ]);
  });

  test('an overridden value is validated like the file, and the problem names the variable', () => {
    const problems = (() => {
      try {
        load({ LGSP__FLOWS__DOSSIER__DVCQG__URL: 'not a url', LGSP__HTTP__PROT: '1' });
      } catch (error) {
        if (error instanceof ConfigError) return error.problems.join('\n');
        throw error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(problems).toMatch(/unknown key "http\.prot" \(set by LGSP__HTTP__PROT\)/);
  });

  test('the flows sections are checked with the override applied', () => {
    expect(() => load({ LGSP__FLOWS__DOSSIER__DVCQG__URL: 'not a url' })).toThrow(/flows\.dossier\.dvcqg\.url: .*\(set by LGSP__FLOWS__DOSSIER__DVCQG__URL\)/);
  });
});
