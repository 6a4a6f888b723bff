// The production image holds the admin console: the bus serves it from src/http/console/ui at run time (tsc copies
// no HTML or browser modules into dist/), and adminConsoleRouter() refuses to start without that directory.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { adminUiDirectory } from '../../../src/http/console/console-router';

const ROOT = path.resolve(__dirname, '../../..');

test("the Dockerfile's runtime stage copies the whole console directory, subfolders included, to where the bus reads it", () => {
  const dockerfile = readFileSync(path.join(ROOT, 'docker/Dockerfile'), 'utf8');
  const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const uiDir = path.relative(ROOT, adminUiDirectory()).split(path.sep).join('/');
  expect(uiDir).toBe('src/http/console/ui');
  // A directory COPY is recursive: ui/core/ and ui/views/ come along with index.html.
  expect(runtimeStage).toMatch(new RegExp(`^COPY --from=build /app/${uiDir}/? \\./${uiDir}/?$`, 'm'));
});
