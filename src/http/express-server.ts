// The bus's HTTP server for its express app: requests and responses are made by classes whose prototypes are the
// app's own.
//
// express gives every request and response the app's prototypes (`app.request`, `app.response`) with
// Object.setPrototypeOf when it begins to handle them. V8 shares no hidden class between objects whose prototype was
// changed after they were made, so every request and response got hidden classes of their own: one more for each
// property express and the bus add afterwards. Those maps live in the old generation until a full collection, and
// under load they were a large part of what filled it (docs/performance.md, "The half-load tail, traced").
//
// So node:http makes them with subclasses of its own classes (`class extends IncomingMessage`), and the subclasses'
// prototypes become the app's: each inherits the prototype express had, and is put in its place. V8 gives the
// instances of a derived class one initial map, with in-object room for the fields node:http's constructors set, and
// express's setPrototypeOf then changes nothing. Objects made on the app's prototype another way (Object.create, and
// node:http's constructor applied to them) had room for four fields in the object: they went past V8's limit of
// fields kept outside it, became dictionaries, and shared a hidden class only while V8's cache of normalised maps
// kept theirs, which in some processes it never did.
import { createServer, IncomingMessage, ServerResponse, type RequestListener, type Server } from 'node:http';

/** What the server needs of an express app: its handler and the prototypes it gives requests and responses. */
type ExpressApp = RequestListener & { request: IncomingMessage; response: ServerResponse };

/** Subclasses of node:http's request and response whose prototypes become the app's, as createServer's options. */
function serverClasses(app: ExpressApp) {
  class Request extends IncomingMessage {}
  class Response extends ServerResponse<Request> {}
  Object.setPrototypeOf(Request.prototype, app.request);
  Object.setPrototypeOf(Response.prototype, app.response);
  app.request = Request.prototype;
  app.response = Response.prototype;
  return { IncomingMessage: Request, ServerResponse: Response };
}

/** The classes made for each app, so that a second server for the same app does not put new prototypes in place. */
const classesOfApp = new WeakMap<ExpressApp, ReturnType<typeof serverClasses>>();

/** An HTTP server for an express app whose requests and responses are made with the app's prototypes. */
export function createExpressServer(app: ExpressApp): Server {
  let classes = classesOfApp.get(app);
  if (!classes) {
    classes = serverClasses(app);
    classesOfApp.set(app, classes);
  }
  return createServer(classes, app);
}
