// Shuts an HTTP server down for good: stops listening and drops open connections, held slow requests included.
import type { Server } from 'node:http';

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}
