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
// Each is made as an object with the app's prototype (Object.create, whose hidden class V8 shares per prototype), to
// which node:http's constructor is applied with the arguments node:http gives (both are plain constructor functions).
// Reflect.construct with the app's prototype as new.target's would not do: V8 then gives each object a new hidden
// class again.
import { createServer, IncomingMessage, ServerResponse, type RequestListener, type Server } from 'node:http';

/** `base` as node:http constructs it, making objects whose prototype is `prototype` (which inherits base.prototype). */
function constructedOn<C extends typeof IncomingMessage | typeof ServerResponse>(base: C, prototype: InstanceType<C>): C {
  return new Proxy(base, {
    construct: (target, args) => {
      const made: object = Object.create(prototype);
      Reflect.apply(target, made, args);
      return made;
    },
  });
}

/** An HTTP server for an express app whose requests and responses are made with the app's prototypes. */
export function createExpressServer(app: RequestListener & { request: IncomingMessage; response: ServerResponse }): Server {
  return createServer({ IncomingMessage: constructedOn<typeof IncomingMessage>(IncomingMessage, app.request), ServerResponse: constructedOn<typeof ServerResponse>(ServerResponse, app.response) }, app);
}
