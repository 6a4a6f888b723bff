// The bus's HTTP server makes requests and responses on the express app's prototypes, so that V8 gives them all one
// chain of hidden classes, with their fields in fast mode (src/http/express-server.ts). Checked in a child Node with
// --allow-natives-syntax, over real sockets, against node:http's own createServer(app) as the control: there every
// request gets hidden classes of its own. Objects in dictionary mode share a class only while V8's cache of normalised
// maps keeps it, which some processes never do: that is why the fields' mode is checked as well as the classes.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

interface HiddenClasses {
  request: boolean;
  response: boolean;
  fast: boolean;
  prototypes: boolean;
}

/**
 * Whether the 21st and 22nd requests (and their responses) of 30 ended with the same hidden class, whether they keep
 * fast properties, and whether all have the app's prototypes (and know their app).
 */
function sharedHiddenClasses(server: 'bus' | 'node:http'): HiddenClasses {
  const script = `
    const http = require('node:http');
    const express = require(${JSON.stringify(path.join(ROOT, 'node_modules/express'))});
    const { createExpressServer } = require(${JSON.stringify(path.join(ROOT, 'dist/src/http/express-server.js'))});
    const app = express();
    const requests = [], responses = [];
    app.use(express.json());
    app.post('/api/v1/things/:id', (req, res) => { requests.push(req); responses.push(res); res.status(202).json({ id: req.params.id }); });
    const server = ${server === 'bus' ? 'createExpressServer(app)' : 'http.createServer(app)'};
    ${server === 'bus' ? 'const second = createExpressServer(app);' : 'const second = null;'}
    server.listen(0, '127.0.0.1', async () => {
      const { port } = server.address();
      for (let i = 0; i < 30; i++) {
        await new Promise((resolve, reject) => {
          const call = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/things/' + i, headers: { 'content-type': 'application/json' } }, (answer) => {
            if (answer.statusCode !== 202) reject(new Error('status ' + answer.statusCode));
            answer.resume();
            answer.on('end', resolve);
          });
          call.on('error', reject);
          call.end(JSON.stringify({ n: i, text: 'Nguyễn Văn A' }));
        });
      }
      process.stdout.write(JSON.stringify({
        request: %HaveSameMap(requests[20], requests[21]),
        response: %HaveSameMap(responses[20], responses[21]),
        fast: %HasFastProperties(requests[21]) && %HasFastProperties(responses[21]),
        prototypes: requests.every((r) => Object.getPrototypeOf(r) === app.request && r.app === app) && responses.every((r) => Object.getPrototypeOf(r) === app.response && r.app === app),
      }));
      server.close();
      if (second) second.close();
    });`;
  return JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8', timeout: 60_000 })) as HiddenClasses;
}

describe("the bus's HTTP server and V8's hidden classes", () => {
  test('requests and responses share one chain of hidden classes with fast properties, on the app prototypes express expects', () => {
    expect(sharedHiddenClasses('bus')).toEqual({ request: true, response: true, fast: true, prototypes: true });
  });

  test("node:http's createServer(app), the control: express's setPrototypeOf gives each request classes of its own", () => {
    expect(sharedHiddenClasses('node:http')).toMatchObject({ request: false, response: false, prototypes: true });
  });
});
