// The one secret resolver: every secret the config names is declared by its config path, resolved once at start, and
// every missing one is reported together (by path and environment variable or file, never by value).
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Environment variable names a secret may be read from. */
export const SECRET_ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * Where a secret is: `{ env: NAME }` (the environment variable NAME) or `{ file: path }` (the whole file, a trailing
 * newline dropped: a mounted Docker or Kubernetes secret). `value` is an inline fallback used when the variable or
 * file gives nothing, allowed in the development profile only; the production profile refuses to start with one.
 */
export const secretRefSchema = z
  .strictObject({
    env: z.string().regex(SECRET_ENV_NAME, 'env names an environment variable (A-Z, 0-9, _)').optional(),
    file: z.string().min(1).optional(),
    value: z.string().min(1).optional(),
  })
  .refine((s) => s.env === undefined || s.file === undefined, { message: 'give env or file, not both' })
  .refine((s) => s.env !== undefined || s.file !== undefined || s.value !== undefined, {
    message: 'give env or file (and in development, a value to fall back on)',
  });

export type SecretRef = z.infer<typeof secretRefSchema>;

/** A secret the configuration names: where in the config it is named, where it is, and whether the bus needs it. */
export interface SecretDeclaration {
  /** Config path of the setting that names it, e.g. flows.dossier.dvcqg.password or auth.signingKeyEnv. */
  path: string;
  ref: SecretRef;
  /** False: the bus runs without it (and uses it when given). Default true. */
  required?: boolean;
  /** Shortest value accepted, in bytes (HMAC keys). */
  minBytes?: number;
}

export interface SecretSources {
  /** Environment variables by name. */
  env: Readonly<Record<string, string | undefined>>;
  /** Inline values are accepted only in the development profile. */
  development: boolean;
  /** Reads a secret file; default fs.readFileSync as UTF-8. */
  readFile?: (file: string) => string;
}

/** The resolved secrets, by the config path that names them. */
export class BusSecrets {
  constructor(private readonly values: ReadonlyMap<string, string>, private readonly declared: ReadonlySet<string>) {}

  /** A secret the config requires (its absence stopped the start); asking for one never declared is a programming error. */
  get(path: string): string {
    const value = this.values.get(path);
    if (value === undefined) throw new Error(`secret ${path} was not ${this.declared.has(path) ? 'given' : 'declared'} at start`);
    return value;
  }

  /** An optional secret: its value, or undefined when the config names none or it was not given. */
  find(path: string): string | undefined {
    return this.values.get(path);
  }

  /** The config paths of every declared secret. */
  paths(): string[] {
    return [...this.declared];
  }
}

export interface ResolvedSecrets {
  secrets: BusSecrets;
  /** One line per missing or refused secret, e.g. `flows.edoc.axis.secret: environment variable EDOC_AXIS_SECRET is not set`. */
  problems: string[];
}

/** Where a reference points, for messages: never the value. */
function describe(ref: SecretRef): string {
  if (ref.env !== undefined) return `environment variable ${ref.env}`;
  if (ref.file !== undefined) return `file ${ref.file}`;
  return 'inline value';
}

function readSource(ref: SecretRef, sources: SecretSources): { value?: string; problem?: string } {
  if (ref.env !== undefined) {
    const value = sources.env[ref.env];
    return value === undefined || value === '' ? {} : { value };
  }
  if (ref.file !== undefined) {
    try {
      const value = (sources.readFile ?? ((f) => readFileSync(f, 'utf8')))(ref.file).replace(/\r?\n$/, '');
      return value === '' ? { problem: `file ${ref.file} is empty` } : { value };
    } catch (error) {
      return { problem: `file ${ref.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  }
  return {};
}

/** Resolves every declaration; a path declared twice keeps its first declaration. */
export function resolveSecrets(declarations: readonly SecretDeclaration[], sources: SecretSources): ResolvedSecrets {
  const values = new Map<string, string>();
  const declared = new Set<string>();
  const problems: string[] = [];
  for (const declaration of declarations) {
    const { path, ref } = declaration;
    if (declared.has(path)) continue;
    declared.add(path);
    if (ref.value !== undefined && !sources.development) {
      problems.push(`${path}: inline secret values are for the development profile; give { env: NAME } or { file: path }`);
      continue;
    }
    const read = readSource(ref, sources);
    const value = read.value ?? (read.problem === undefined ? ref.value : undefined);
    if (value === undefined) {
      if (read.problem !== undefined) problems.push(`${path}: ${read.problem}`);
      else if (declaration.required !== false) problems.push(`${path}: ${describe(ref)} is not set`);
      continue;
    }
    if (declaration.minBytes !== undefined && Buffer.byteLength(value) < declaration.minBytes) {
      problems.push(`${path}: ${describe(ref)} must hold at least ${declaration.minBytes} bytes`);
      continue;
    }
    values.set(path, value);
  }
  return { secrets: new BusSecrets(values, declared), problems };
}
