// The Node flags a bus process runs with: `npm start` (package.json) and the Dockerfile write them out, and the bench,
// the chaos suite and the tests start their bus processes with this list (a unit test keeps the three the same).
//
// --max-old-space-size: V8 lets the old generation grow to a multiple of the live heap before a full collection, and
// that multiple depends on the heap limit: with the default limit (a quarter of the machine's memory) the bus's heap
// grew to ~160 MB around ~37 MB of live objects, and its RSS to 305–332 MB under the bench's load. With a 1 GiB limit
// the same load peaks at ~200 MB; the dossier figures do not change beyond the noise, e-documents go ~20 % slower (V8
// collects the packages' large strings more often; docs/operations.md). 1 GiB is far above what the bus keeps alive.
export const BUS_NODE_FLAGS: readonly string[] = ['--max-old-space-size=1024'];
