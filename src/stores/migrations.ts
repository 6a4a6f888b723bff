// Versioned schema migrations: each schema owner's ordered list, and the rules every dialect's runner applies to it.

/**
 * One step of an owner's schema. Versions run 1, 2, 3… without gaps; a released version is never edited, a change is a
 * new version. Version 1 of an owner is the schema its code created before migrations were recorded, written with
 * IF NOT EXISTS so a database made by that code is adopted: v1 is recorded over the tables already there.
 */
export interface Migration<Up> {
  version: number;
  name: string;
  up: Up;
}

export interface AppliedMigration {
  owner: string;
  version: number;
  name: string;
}

/** The table, one per database, that records which version of each owner's schema the database holds. */
export const MIGRATIONS_TABLE = 'schema_migrations';

/** A database written by a newer release than this code: starting would let an older binary write a schema it does not know. */
export class SchemaNewerThanCodeError extends Error {
  readonly code = 'SCHEMA_NEWER_THAN_CODE';
  constructor(
    readonly owner: string,
    readonly recordedVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `schema of ${owner} is at version ${recordedVersion} but this release knows versions up to ${knownVersion}: ` +
        'the database was migrated by a newer release; run that release (or newer) against it',
    );
    this.name = 'SchemaNewerThanCodeError';
  }
}

/** Checks an owner's list is 1..n in order, so "recorded version" means "every step up to it has run". */
export function assertMigrationList<Up>(owner: string, migrations: readonly Migration<Up>[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migrations of ${owner} must be numbered 1, 2, 3… in order: position ${index + 1} is version ${migration.version}`);
    }
  });
}

/** The migrations still to run on a database whose owner is at `recordedVersion`; refuses a version newer than the list. */
export function pendingMigrations<Up>(owner: string, recordedVersion: number, migrations: readonly Migration<Up>[]): Migration<Up>[] {
  assertMigrationList(owner, migrations);
  if (recordedVersion > migrations.length) throw new SchemaNewerThanCodeError(owner, recordedVersion, migrations.length);
  return migrations.slice(recordedVersion);
}
