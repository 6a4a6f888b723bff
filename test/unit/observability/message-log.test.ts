// A delivery's log: every line carries the message's fields and attempt (citizen ids in the subject masked), and the
// pino child that binds them is made only once a line is written.
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/observability/logger';
import { messageLog } from '../../../src/observability/log-fields';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

const envelope = { id: 'm-1', correlationId: 'c-1', subject: 'HS-079203001234', attempt: 3 };

describe('messageLog', () => {
  test("each line carries the message's ids, route, masked subject and attempt, and its own fields", async () => {
    const { logger, lines } = capturedLogger();
    const log = messageLog(logger, envelope, 'dossier-sync');
    log.warn({ code: 'UPSTREAM_TIMEOUT', upstream: 'dvcqg' }, 'upstream call failed');
    log.info({ code: 'EFFECT_ALREADY_DONE' }, 'redelivered message');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', messageId: 'm-1', correlationId: 'c-1', route: 'dossier-sync', subject: 'HS-***', attempt: 3, code: 'UPSTREAM_TIMEOUT', upstream: 'dvcqg', msg: 'upstream call failed' }),
      expect.objectContaining({ level: 'info', messageId: 'm-1', attempt: 3, code: 'EFFECT_ALREADY_DONE', msg: 'redelivered message' }),
    ]);
  });

  test('no child logger is made for a delivery that writes no line, and one for one that writes several', () => {
    const { logger } = capturedLogger();
    const child = jest.spyOn(logger, 'child');
    messageLog(logger, envelope, 'dossier-sync');
    expect(child).not.toHaveBeenCalled();
    const log = messageLog(logger, envelope, 'dossier-sync');
    log.info({}, 'one');
    log.warn({}, 'two');
    expect(child).toHaveBeenCalledTimes(1);
  });
});
