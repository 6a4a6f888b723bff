// `{ ...base, ...extra }` as an object whose hidden class is shared with every other object merged the same way.
//
// Why: on Node 20 (V8 11.3) an object literal that begins with a spread and goes on with more fields or another spread
// gives each object it makes a hidden class of its own: the spread's copy has a class outside V8's transition tree, so
// each field added after it makes a new class. Classes go to the old generation and die only in a full collection;
// on the dossier path such literals made ~17 classes per dossier (docs/performance.md, "Hidden classes per dossier").
// Object.assign onto a fresh object adds the same fields along the shared transitions. A literal that only spreads
// (`{ ...base }`) or spreads after its own fields is not affected.
//
// Object.assign sets where a spread defines: a source's own `__proto__` key would set the prototype. The objects
// merged here are the bus's own (built by its code, read from its stores), never parsed input.
export function merged<Base extends object, Extra extends object>(base: Base, extra: Extra): Omit<Base, keyof Extra> & Extra {
  return Object.assign({}, base, extra);
}
