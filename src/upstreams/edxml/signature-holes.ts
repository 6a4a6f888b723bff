// A signed package's large base64 runs (its attachments, tens of MiB) are hashed from the received bytes instead of
// being parsed into xml-crypto's DOM and canonicalised as strings, which took ~300 MB for a 27 MiB package.
//
// Each run is replaced in the text xml-crypto parses by a token (random letters and digits, unknown to the sender), and
// the digest of a reference is computed over xml-crypto's canonical text with each token replaced by the run's
// canonical form, streamed from the bytes. This digests exactly what xml-crypto would have digested over the whole
// document: a run holds only base64 characters and whitespace, so it is one text node whatever surrounds it, the
// reduced document parses to the same tree around it, and a text node's canonical form depends on its text alone
// (XML-C14N escapes &, <, > and carriage returns in text; the parser has already turned CR LF and lone CR into LF, so
// none are left, and none of the others can be in a run). A token missing from the canonical text, or there more than
// once, fails the check.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { HashAlgorithm } from 'xml-crypto';
import { decodeUtf8 } from './xml-text';
import type { XmlElement } from './xml-scanner';

/** Text runs shorter than this are parsed as they are: only large ones are worth the splice. */
const MIN_RUN_BYTES = 64 * 1024;
/** Bytes hashed per update. */
const HASH_WINDOW = 1024 * 1024;
const CR = 0x0d;
const LF = 0x0a;

/** Base64 characters and XML whitespace. */
const RUN_BYTE = (() => {
  const table = new Uint8Array(256);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\t\n\r ') table[c.charCodeAt(0)] = 1;
  return table;
})();

interface Run {
  start: number;
  end: number;
  token: string;
}

export interface ReducedDocument {
  /** The document as text, each large run replaced by its token. */
  xml: string;
  runs: Run[];
}

/**
 * The document from `from` (after a byte-order mark) with its large base64 text runs replaced by tokens; runs inside
 * `keep` (the signature, read as it is) are left in place.
 */
export function reduceLargeRuns(source: Buffer, from: number, root: XmlElement, keep: XmlElement): ReducedDocument {
  const found: { start: number; end: number }[] = [];
  const pending: XmlElement[] = [root];
  while (pending.length > 0) {
    const element = pending.pop()!;
    if (element === keep) continue;
    for (const child of element.children) {
      if (child.kind === 'element') pending.push(child);
      else if (!child.cdata && child.end - child.start >= MIN_RUN_BYTES && onlyRunBytes(source, child.start, child.end)) found.push({ start: child.start, end: child.end });
    }
  }
  found.sort((a, b) => a.start - b.start);
  const salt = randomBytes(16).toString('hex');
  const runs = found.map((run, i) => ({ ...run, token: `lgspRun${salt}n${i}x` }));
  let xml = '';
  let position = from;
  for (const run of runs) {
    xml += decodeUtf8(source, position, run.start) + run.token;
    position = run.end;
  }
  xml += decodeUtf8(source, position, source.length);
  return { xml, runs };
}

function onlyRunBytes(source: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (RUN_BYTE[source[i]!] === 0) return false;
  return true;
}

/** Node's names of the XML-DSig digest algorithms xml-crypto knows. */
const DIGESTS: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

/** Digest algorithms for xml-crypto that put each run's canonical bytes where its token is in the canonical text. */
export function runFillingDigests(source: Buffer, runs: readonly Run[]): Record<string, new () => HashAlgorithm> {
  const digests: Record<string, new () => HashAlgorithm> = {};
  for (const [uri, name] of Object.entries(DIGESTS)) {
    digests[uri] = class implements HashAlgorithm {
      getAlgorithmName(): string {
        return uri;
      }

      getHash(canonical: string): string {
        const hash = createHash(name);
        let position = 0;
        for (const run of runs) {
          const at = canonical.indexOf(run.token, position);
          if (at === -1 || canonical.indexOf(run.token, at + run.token.length) !== -1) throw new Error('a large text run of the package is not where it was in the canonical form');
          hash.update(canonical.slice(position, at), 'utf8');
          hashRun(hash, source, run);
          position = at + run.token.length;
        }
        hash.update(canonical.slice(position), 'utf8');
        return hash.digest('base64');
      }
    };
  }
  return digests;
}

/** The run's bytes as the parser gives its text: CR LF and lone CR read as LF; a window at a time. */
function hashRun(hash: Hash, source: Buffer, run: Run): void {
  let scratch: Buffer | undefined;
  let start = run.start;
  while (start < run.end) {
    const end = Math.min(run.end, start + HASH_WINDOW);
    let cr = source.indexOf(CR, start);
    if (cr === -1 || cr >= end) {
      hash.update(source.subarray(start, end));
      start = end;
      continue;
    }
    scratch ??= Buffer.allocUnsafe(HASH_WINDOW);
    let filled = 0;
    let from = start;
    while (cr !== -1 && cr < end) {
      filled += source.copy(scratch, filled, from, cr);
      scratch[filled++] = LF;
      // A CR LF pair is one newline; its LF may be past the window's end.
      from = cr + 1 < run.end && source[cr + 1] === LF ? cr + 2 : cr + 1;
      cr = from < end ? source.indexOf(CR, from) : -1;
    }
    if (from < end) filled += source.copy(scratch, filled, from, end);
    hash.update(scratch.subarray(0, filled));
    start = Math.max(from, end);
  }
}
