// Each service's contract as one self-contained download: its own paths of the OpenAPI file, with every component
// they use copied in (from other files too), and the WSDL with its XSD inlined and its address set to this bus.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { contractPath, wsdlPath } from '../../core/repo-files';
import type { BusService } from './service-catalogue';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const parsedFiles = new Map<string, JsonObject>();
function parsedYaml(file: string): JsonObject {
  let parsed = parsedFiles.get(file);
  if (!parsed) parsedFiles.set(file, (parsed = YAML.parse(readFileSync(file, 'utf8')) as JsonObject));
  return parsed;
}

const isObject = (value: Json | undefined): value is JsonObject => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The OpenAPI document of one service: only its endpoints' paths and methods, no $ref outside the document. */
export function serviceOpenApi(service: BusService): JsonObject {
  const rootFile = contractPath(service.contract);
  const root = parsedYaml(rootFile);
  const components: { [kind: string]: JsonObject } = {};
  const names = new Map<string, string>(); // `file#pointer` → name in components[kind]

  const inline = (value: Json, file: string): Json => {
    if (Array.isArray(value)) return value.map((v) => inline(v, file));
    if (!isObject(value)) return value;
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = key === '$ref' && typeof child === 'string' ? localRef(child, file) : inline(child, file);
    }
    return out;
  };
  const localRef = (ref: string, file: string): string => {
    const [filePart, pointer = ''] = ref.split('#');
    const target = filePart ? path.resolve(path.dirname(file), filePart) : file;
    const match = /^\/components\/([A-Za-z]+)\/([^/]+)$/.exec(pointer);
    if (!match) throw new Error(`${path.basename(file)}: cannot inline $ref ${ref}`);
    const [, kind, name] = match as unknown as [string, string, string];
    const key = `${target}#${pointer}`;
    let local = names.get(key);
    if (local === undefined) {
      const taken = components[kind] ?? (components[kind] = {});
      local = name in taken ? `${path.basename(target, '.yaml')}-${name}` : name;
      names.set(key, local);
      const source = parsedYaml(target).components;
      const definition = isObject(source) && isObject(source[kind]) ? source[kind][name] : undefined;
      if (definition === undefined) throw new Error(`${path.basename(file)}: $ref ${ref} points at nothing`);
      taken[local] = null; // reserved before recursing, so a cycle refers to it instead of copying again
      taken[local] = inline(definition, target);
    }
    return `#/components/${kind}/${local}`;
  };

  const rootPaths = isObject(root.paths) ? root.paths : {};
  const paths: JsonObject = {};
  for (const endpoint of service.endpoints.filter((e) => e.protocol === 'rest')) {
    const item = rootPaths[endpoint.path];
    const method = endpoint.method.toLowerCase();
    if (!isObject(item) || item[method] === undefined) throw new Error(`${service.contract}.yaml has no ${endpoint.method} ${endpoint.path}`);
    const entry = (isObject(paths[endpoint.path]) ? paths[endpoint.path] : (paths[endpoint.path] = {})) as JsonObject;
    entry[method] = inline(item[method], rootFile);
  }
  const rootComponents = isObject(root.components) ? root.components : {};
  const info = isObject(root.info) ? root.info : {};
  return {
    openapi: root.openapi ?? '3.1.0',
    info: { ...info, title: `${String(info.title ?? 'LGSP bus')} — service ${service.code}`, description: service.title },
    ...(root.servers !== undefined ? { servers: root.servers } : {}),
    ...(root.security !== undefined ? { security: root.security } : {}),
    paths,
    components: { ...(rootComponents.securitySchemes !== undefined ? { securitySchemes: rootComponents.securitySchemes } : {}), ...components },
  };
}

/** A wsdl:types schema that only imports XSD files (one or more). */
const SCHEMA_IMPORTS = /<xs:schema\b[^>]*>((?:\s*<xs:import\b[^>]*\/>)+)\s*<\/xs:schema>/;
const IMPORT_LOCATION = /<xs:import\b[^>]*schemaLocation="([^"]+)"[^>]*\/>/g;

/** The service's WSDL with the imported XSD written inline (one file for the caller) and the address of this bus. */
export function serviceWsdl(service: BusService, soapAddress: string): string | undefined {
  return service.wsdl === null ? undefined : selfContainedWsdl(service.wsdl, soapAddress);
}

/**
 * contracts/wsdl/<name>.wsdl with each imported XSD written inline as a schema of its own (a relative schemaLocation
 * would resolve against wherever the WSDL is served from) and `soapAddress` as its soap:address.
 */
export function selfContainedWsdl(name: string, soapAddress: string): string {
  const file = wsdlPath(name);
  let wsdl = readFileSync(file, 'utf8');
  const imports = SCHEMA_IMPORTS.exec(wsdl);
  if (imports) {
    const schemas = [...imports[1]!.matchAll(IMPORT_LOCATION)].map((imported) =>
      readFileSync(path.resolve(path.dirname(file), imported[1]!), 'utf8')
        .replace(/^<\?xml[^>]*\?>\s*/, '')
        .replace(/<!--[\s\S]*?-->\s*/g, '')
        .trim(),
    );
    wsdl = wsdl.replace(imports[0], () => schemas.join('\n'));
  }
  return wsdl.replace(/(<soap:address\s+location=")[^"]*(")/, (_m, open: string, close: string) => `${open}${escapeXmlAttribute(soapAddress)}${close}`);
}

function escapeXmlAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
