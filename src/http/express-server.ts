// The bus's HTTP server for its express app: requests and responses are made on the app's own prototypes.
//
// express gives every request and response the app's prototypes (`app.request`, `app.response`) with
// Object.setPrototypeOf when it begins to handle them. V8 shares no hidden class between objects whose prototype was
// changed after they were made, so every request and response got hidden classes of their own: one more for each
// property express and the bus add afterwards. Those maps live in the old generation until a full collection, and
// under load they were a large part of what filled it (docs/performance.md, "The half-load tail, traced"). Made on
// the app's prototypes from the start, the objects already have them, express's setPrototypeOf changes nothing, and
// all requests share one chain of hidden classes.
//
// Each is made by a constructor function of its own whose prototype is the app's, applying node:http's constructor to
// the new object with the arguments node:http gives (both are plain constructor functions). Reflect.construct with the
// app's prototype as new.target's would not do: V8 then gives each object a new hidden class again.
import { createServer, IncomingMessage, ServerResponse, type RequestListener, type Server } from 'node:http';

function requestConstructor(prototype: IncomingMessage): typeof IncomingMessage {
  function AppRequest(this: IncomingMessage, ...args: unknown[]): void {
    Reflect.apply(IncomingMessage, this, args);
  }
  AppRequest.prototype = prototype;
  return AppRequest as unknown as typeof IncomingMessage;
}

function responseConstructor(prototype: ServerResponse): typeof ServerResponse {
  function AppResponse(this: ServerResponse, ...args: unknown[]): void {
    Reflect.apply(ServerResponse, this, args);
  }
  AppResponse.prototype = prototype;
  return AppResponse as unknown as typeof ServerResponse;
}

/** An HTTP server for an express app whose requests and responses are made with the app's prototypes. */
export function createExpressServer(app: RequestListener & { request: IncomingMessage; response: ServerResponse }): Server {
  return createServer({ IncomingMessage: requestConstructor(app.request), ServerResponse: responseConstructor(app.response) }, app);
}
