// The data directory is the bus's user's alone, whatever the umask: created 0700 (an existing one tightened), and
// every file the bus writes there 0600: SQLite databases with their -wal and -shm files, the audit signing key and
// its public half, audit bundles. The queue and the stores hold citizens' ids, names and phone numbers in clear.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUNDLE_FORMAT, writeBundle } from '../../../src/audit/bundle';
import { prepareDataDir } from '../../../src/stores/private-files';
import { TEST_CLIENT } from '../../../testkit/bus-process';
import { waitFor } from '../../../testkit/env';
import { EDOC_SENDER, RECIPIENT_ORGAN, SENDER_ORGAN, startHostileWorld, type HostileWorld } from '../../../testkit/worlds/hostile-world';
import { documentPackage } from '../../../testkit/worlds/edoc/packages';

/** Every entry under the directory with its permission bits, the directory itself as '.'. */
function modesUnder(dir: string): Record<string, string> {
  const modes: Record<string, string> = { '.': (lstatSync(dir).mode & 0o777).toString(8) };
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) modes[entry] = (lstatSync(path.join(dir, entry)).mode & 0o777).toString(8);
  return modes;
}

/** Runs the work with the usual permissive umask, so that only the bus's own care makes its files private. */
async function withUmask<T>(mask: number, work: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await work();
  } finally {
    process.umask(previous);
  }
}

describe('the data directory and its files', () => {
  let world: HostileWorld | undefined;
  afterEach(async () => {
    await world?.dispose();
    world = undefined;
  });

  /** A generic message with a citizen's data, a dossier and an edXML document, each accepted and delivered or filed. */
  const useEveryStore = async (w: HostileWorld) => {
    const post = (pathname: string, body: string | Buffer, type: string, client: string) =>
      fetch(`${w.url}${pathname}`, { method: 'POST', headers: { authorization: `Bearer ${w.token(client)}`, 'content-type': type }, body });
    const marker = `modes-${Date.now()}`;
    const message = { type: 'test.ping', payload: { marker, SoDinhDanh: '026092008262', HoTen: 'Đào Văn Tài', SoDienThoai: '0912345678' } };
    expect((await post('/api/v1/messages', JSON.stringify(message), 'application/json', TEST_CLIENT)).status).toBe(202);
    const edxml = documentPackage({ from: SENDER_ORGAN, to: [RECIPIENT_ORGAN], documentId: `${SENDER_ORGAN},2026/11/27,${Date.now() % 1e6}/UBND-VP` });
    expect((await post('/api/v1/edocs', edxml, 'application/xml', EDOC_SENDER)).status).toBe(202);
    await waitFor(() => w.receiver.applied().some((e) => JSON.stringify(e.body).includes(marker)), 10_000, 'the message delivered');
  };

  test('a bus on the embedded default in a fresh directory: the directory 0700, every file in it 0600, under umask 022', async () => {
    const modes = await withUmask(0o022, async () => {
      world = await startHostileWorld();
      await useEveryStore(world);
      return modesUnder(world.dataDir);
    });
    for (const file of ['stores.db', 'queue.db', 'audit.db', 'edoc.db', 'audit-signing.pem', 'audit-signing.pub.pem', 'queue.db-wal', 'queue.db-shm', 'audit.db-wal']) {
      expect(modes).toHaveProperty([file]);
    }
    // The e-document package files have a directory of their own, private as the data directory.
    expect(modes['edoc-blobs']).toBe('700');
    expect(Object.entries(modes).filter(([name, mode]) => name !== '.' && name !== 'edoc-blobs' && mode !== '600')).toEqual([]);
    expect(modes['.']).toBe('700');
  });

  test('an existing directory open to others is tightened at start, with the files an older version left there', async () => {
    const modes = await withUmask(0o022, async () => {
      world = await startHostileWorld({
        beforeStart: (dataDir) => {
          mkdirSync(path.join(dataDir, 'audit-archive'), { recursive: true, mode: 0o755 });
          chmodSync(dataDir, 0o755);
          for (const file of ['queue.db', 'queue.db-wal', 'queue.db-shm', 'audit-archive/audit-old.json', 'notes.txt']) writeFileSync(path.join(dataDir, file), '', { mode: 0o644 });
          chmodSync(path.join(dataDir, 'audit-archive'), 0o755);
        },
      });
      await useEveryStore(world);
      return modesUnder(world.dataDir);
    });
    expect(modes).toMatchObject({ '.': '700', 'audit-archive': '700', 'audit-archive/audit-old.json': '600', 'notes.txt': '600', 'queue.db-wal': '600' });
    expect(Object.entries(modes).filter(([name, mode]) => !['.', 'audit-archive', 'edoc-blobs'].includes(name) && mode !== '600')).toEqual([]);
    expect(modes['edoc-blobs']).toBe('700');
  });

  test('audit bundles are written 0600 in a directory created 0700; a data directory that cannot be made private is refused, saying why', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lgsp-modes-'));
    try {
      await withUmask(0o022, async () => {
        writeBundle(path.join(dir, 'data', 'audit-archive', 'audit-x.json'), { format: BUNDLE_FORMAT, createdAt: new Date().toISOString(), publicKeys: [], chains: [] });
      });
      expect(modesUnder(path.join(dir, 'data'))).toEqual({ '.': '700', 'audit-archive': '700', 'audit-archive/audit-x.json': '600' });
      writeFileSync(path.join(dir, 'a-file'), '');
      expect(() => prepareDataDir(path.join(dir, 'a-file', 'data'))).toThrow(/data directory .*a-file\/data cannot be made private .*0700/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
