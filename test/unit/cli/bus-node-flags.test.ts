// `npm start`, the Dockerfile and the bus processes of the bench, chaos suite and tests run with the same Node flags,
// and the command lines the README and the operations guide give do too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUS_NODE_FLAGS } from '../../../src/cli/bus-node-flags';

const ROOT = path.resolve(__dirname, '../../..');

test('npm start (the demo) and the Dockerfile (production) start the bus with BUS_NODE_FLAGS', () => {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  expect(start).toBe(`node ${BUS_NODE_FLAGS.join(' ')} dist/testkit/demo.js`);
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(path.join(ROOT, 'docker/Dockerfile'), 'utf8'))?.[1];
  expect(JSON.parse(cmd ?? '[]')).toEqual(['node', ...BUS_NODE_FLAGS, 'dist/src/cli/start.js']);
});

test('every "node --… dist/src/cli/start.js" line of the README and the operations guide gives BUS_NODE_FLAGS', () => {
  const lines = ['README.md', 'docs/operations.md'].flatMap((file) =>
    readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .filter((line) => /^node --\S+.* dist\/src\/cli\/start\.js/.test(line))
      .map((line) => [file, line.replace(/\s+#.*$/, '')]),
  );
  expect(lines.length).toBeGreaterThanOrEqual(2);
  for (const [file, line] of lines) expect([file, line]).toEqual([file, `node ${BUS_NODE_FLAGS.join(' ')} dist/src/cli/start.js`]);
});
