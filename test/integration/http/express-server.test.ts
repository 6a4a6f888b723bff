// The bus's HTTP server makes requests and responses on the express app's prototypes, so that V8 gives them all one
// chain of hidden classes (src/http/express-server.ts). Checked in a child Node with --allow-natives-syntax, over real
// sockets, against node:http's own createServer(app) as the control: there every request gets hidden classes of its own.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** Whether the 21st and 22nd requests (and their responses) of 30 ended with the same hidden class. */
function sharedHiddenClasses(server: 'bus' | 'node:http'): { request: boolean; response: boolean; prototypes: boolean } {
  const script = `
    const http = require('node:http');
    const express = require(${JSON.stringify(path.join(ROOT, 'node_modules/express'))});
    const { createExpressServer } = require(${JSON.stringify(path.join(ROOT, 'dist/src/http/express-server.js'))});
    const app = express();
    const requests = [], responses = [];
    app.use(express.json());
    app.post('/api/v1/things/:id', (req, res) => { requests.push(req); responses.push(res); res.status(202).json({ id: req.params.id }); });
    const server = ${server === 'bus' ? 'createExpressServer(app)' : 'http.createServer(app)'};
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
        prototypes: requests.every((r) => Object.getPrototypeOf(r) === app.request) && responses.every((r) => Object.getPrototypeOf(r) === app.response),
      }));
      server.close();
    });`;
  return JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8', timeout: 60_000 })) as {
    request: boolean;
    response: boolean;
    prototypes: boolean;
  };
}

describe("the bus's HTTP server and V8's hidden classes", () => {
  test('requests and responses share one chain of hidden classes, on the app prototypes express expects', () => {
    expect(sharedHiddenClasses('bus')).toEqual({ request: true, response: true, prototypes: true });
  });

  test("node:http's createServer(app), the control: express's setPrototypeOf gives each request classes of its own", () => {
    expect(sharedHiddenClasses('node:http')).toEqual({ request: false, response: false, prototypes: true });
  });
});
