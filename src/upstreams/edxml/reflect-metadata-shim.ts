// The part of the Reflect metadata API that @peculiar/x509's dependency injection (tsyringe) asks for at load time;
// installed only when no full polyfill (reflect-metadata) is loaded. The x509 module imports it first.
type MetadataTarget = object;

interface MetadataApi {
  getMetadata(key: unknown, target: MetadataTarget): unknown;
  getOwnMetadata(key: unknown, target: MetadataTarget): unknown;
  defineMetadata(key: unknown, value: unknown, target: MetadataTarget): void;
}

const reflect: typeof Reflect & Partial<MetadataApi> = Reflect;

if (typeof reflect.getMetadata !== 'function') {
  const own = new WeakMap<MetadataTarget, Map<unknown, unknown>>();
  const api: MetadataApi = {
    getOwnMetadata: (key, target) => own.get(target)?.get(key),
    // Looked up along the prototype chain, as reflect-metadata does.
    getMetadata: (key, target) => {
      for (let t: MetadataTarget | null = target; t !== null; t = Reflect.getPrototypeOf(t)) {
        const found = own.get(t);
        if (found?.has(key)) return found.get(key);
      }
      return undefined;
    },
    defineMetadata: (key, value, target) => {
      const map = own.get(target) ?? new Map<unknown, unknown>();
      map.set(key, value);
      own.set(target, map);
    },
  };
  Object.assign(Reflect, api);
}

export {};
