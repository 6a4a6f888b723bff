// The Node flags a bus process runs with: `npm start` (package.json) and the Dockerfile write them out, and the bench,
// the chaos suite and the tests start their bus processes with this list (a unit test keeps them, the README's and the
// operations guide's command lines the same).
//
// --max-old-space-size=1024: V8 lets the old generation grow to a multiple of the live heap before a full collection,
// and that multiple depends on the heap limit: with the default limit (a quarter of the machine's memory) the bus's
// heap grew to ~160 MB around ~37 MB of live objects, and its RSS to 305–332 MB under the bench's load. 1 GiB is far
// above what the bus keeps alive; it bounds the heap.
// --max-semi-space-size=32: a request's objects live for the tens of milliseconds of its round trips; with the
// default young generation (16 MB semi-spaces) a scavenge every ~50 ms under load copied the live ones and promoted
// many to the old generation, where only a full collection frees them. With 32 MB, fewer than half as many.
// --heap-growing-percent=100: the old generation may grow to twice its live size before the next full collection.
// With 1 GiB, V8's own factor on this machine was ~1.1–1.8 (it lowers it when collections are slow against the
// program), so while e-documents streamed through a ~30 MB heap a full collection ran every ~150 ms.
// Measured side by side against the 1 GiB limit alone (docs/performance.md, "Garbage collection"): bus CPU per delivered
// dossier 0.95×, per MiB of e-document ~0.65× (1 MiB packages) and ~0.8× (20 MiB); peak RSS under the bench's load
// ~207 → 260–274 MB, large uploads unchanged (~210 MB).
export const BUS_NODE_FLAGS: readonly string[] = ['--max-old-space-size=1024', '--max-semi-space-size=32', '--heap-growing-percent=100'];
