// The data directory and everything the bus writes into it are its owner's alone, whatever the process umask:
// directories 0700, files 0600. They hold citizens' ids, names and phone numbers in clear (the queue, the stores,
// dead letters), the audit log and its signing key.
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Permission bits for the group and for others: none of them may be set on anything in the data directory. */
const SHARED_BITS = 0o077;

/** Files SQLite keeps beside a database; it creates them with the database file's own mode. */
const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * Makes the data directory ready at start: created 0700, or an existing one tightened to 0700 with everything in it
 * made owner-only (files of an older version, or put there by hand; symbolic links are left as they are). Throws
 * with what to do when that cannot be done, so the bus does not start with its data readable by others.
 */
export function prepareDataDir(dir: string): void {
  const resolved = path.resolve(dir);
  try {
    privateDir(resolved);
    chmodSync(resolved, PRIVATE_DIR_MODE);
    for (const entry of readdirSync(resolved, { recursive: true, encoding: 'utf8' })) tighten(path.join(resolved, entry));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EROFS') {
      throw new Error(
        `the data directory ${resolved} is on a read-only file system: the bus writes its queue, stores and audit log there; ` +
          'mount it read-write (or point stores.dataDir elsewhere)',
        { cause: error },
      );
    }
    throw new Error(
      `the data directory ${resolved} cannot be made private to the bus's user (0700, files 0600): ${(error as Error).message}; ` +
        'run the bus as the directory\'s owner, or create it for that user with mode 0700',
      { cause: error },
    );
  }
  const mode = lstatSync(resolved).mode;
  if ((mode & SHARED_BITS) !== 0) throw new Error(`the data directory ${resolved} is still open to others (mode ${(mode & 0o777).toString(8)}); make it 0700`);
}

/** Creates the directory (and missing parents) 0700; an existing one keeps its mode (it may not be the bus's). */
export function privateDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir's mode is masked by the umask; a umask that takes the owner's bits would leave it unusable.
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Writes the file 0600, whether it is new or was there with another mode. */
export function writePrivateFile(file: string, data: string): void {
  privateDir(path.dirname(path.resolve(file)));
  writeFileSync(file, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
}

/**
 * Makes a SQLite database file ready to open: created empty with 0600 before SQLite opens it (SQLite gives its WAL,
 * shared-memory and journal files the database file's mode), or, when it exists, it and those files tightened.
 */
export function prepareSqliteFile(file: string): void {
  if (file === ':memory:') return;
  privateDir(path.dirname(path.resolve(file)));
  if (!existsSync(file)) {
    closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
    chmodSync(file, PRIVATE_FILE_MODE);
  }
  for (const suffix of ['', ...SQLITE_SIDE_FILES]) tighten(`${file}${suffix}`);
}

/** Takes the group's and others' permission bits off a file or directory; leaves links and missing paths alone. */
function tighten(target: string): void {
  let mode: number;
  try {
    const stat = lstatSync(target);
    if (stat.isSymbolicLink()) return;
    mode = stat.mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((mode & SHARED_BITS) !== 0) chmodSync(target, mode & 0o7777 & ~SHARED_BITS);
}
