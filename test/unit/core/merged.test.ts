// merged() makes objects that share one hidden class, where the literal it replaces (`{ ...base, field }`) gives each
// object a class of its own on Node 20 (src/core/merged.ts). Checked in a child Node with --allow-natives-syntax on the
// compiled code, each way made in a function called a thousand times (as on the bus's path, where V8 keeps feedback
// for the spread); the literal is the control, so a Node that no longer needs the helper shows here.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { merged } from '../../../src/core/merged';

const ROOT = path.resolve(__dirname, '../../..');
type Way = 'merged' | 'spreadThenField' | 'logFields';

/** Whether the last two of 1,000 objects made each way have the same hidden class. */
function sharedHiddenClasses(): Record<Way, boolean> {
  const script = `
    const { merged } = require(${JSON.stringify(path.join(ROOT, 'dist/src/core/merged.js'))});
    const { messageLogFields } = require(${JSON.stringify(path.join(ROOT, 'dist/src/observability/log-fields.js'))});
    const base = (i) => ({ messageId: 'm-' + i, correlationId: 'c-' + i, route: 'dossier-sync' });
    const ways = {
      merged: (i) => merged(base(i), { type: 'dossier.submitted', attempt: i }),
      spreadThenField: (i) => ({ ...base(i), type: 'dossier.submitted', attempt: i }),
      logFields: (i) => messageLogFields({ id: 'm-' + i, correlationId: 'c-' + i, subject: 'H10-' + i }, 'dossier-sync', { type: 'dossier.submitted', attempt: i }),
    };
    const shared = {};
    for (const [way, make] of Object.entries(ways)) {
      const objects = [];
      for (let i = 0; i < 1000; i++) objects.push(make(i));
      shared[way] = %HaveSameMap(objects[998], objects[999]);
    }
    process.stdout.write(JSON.stringify(shared));`;
  return JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8', timeout: 60_000 })) as Record<Way, boolean>;
}

describe('merged', () => {
  test('gives what the spread gives: the same fields in the same order, the later ones winning', () => {
    const base = { a: 1, b: 'hai', c: true };
    expect(Object.entries(merged(base, { b: 'ba', d: null }))).toEqual(Object.entries({ ...base, b: 'ba', d: null }));
    expect(base).toEqual({ a: 1, b: 'hai', c: true });
  });

  test('objects merged the same way share one hidden class, as do the log fields of messages; the spread literal is the control', () => {
    expect(sharedHiddenClasses()).toEqual({ merged: true, logFields: true, spreadThenField: false });
  });
});
