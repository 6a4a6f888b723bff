// A dossier as an administrator sees it (GET /api/v1/admin/dossiers/{MaHoSo}): the dossier flow's reading of it
// (flows/dossier/dossier-whole.ts) over every client's messages, each message with its audit records, free texts masked.
import type { components } from '../../../contracts/generated/bus-admin';
import type { AuditLog, AuditRecord } from '../../audit';
import type { RouteConfig } from '../../config/schema';
import type { Stores } from '../../stores/stores';
import { dossierRoutes, dossierWhole } from '../../flows/dossier/dossier-whole';
import type { PersonalDataView } from './personal-data-view';

type Schemas = components['schemas'];

/** At most this many messages of one dossier are shown, each with its records; a dossier has a submission and a handful of steps. */
export const ADMIN_DOSSIER_MESSAGES_SHOWN = 200;

export interface AdminDossierDeps {
  stores: Pick<Stores, 'messages'>;
  audit: Pick<AuditLog, 'timeline'>;
  routes: readonly Pick<RouteConfig, 'name' | 'types'>[];
}

export interface AdminDossierRead {
  body: Schemas['AdminDossier'];
  /** Every audit record shown, for the record of an unmasked view. */
  records: AuditRecord[];
}

/** The dossier, or null when no message on the dossier routes names this MaHoSo. */
export async function readAdminDossier(
  deps: AdminDossierDeps,
  maHoSo: string,
  view: PersonalDataView,
  recordView: (record: AuditRecord) => Schemas['AuditRecord'],
): Promise<AdminDossierRead | null> {
  const statuses = await deps.stores.messages.bySubject(maHoSo, { routes: dossierRoutes(deps.routes), limit: ADMIN_DOSSIER_MESSAGES_SHOWN });
  const whole = dossierWhole(maHoSo, statuses);
  if (whole.messages.length === 0) return null;
  const sources = new Map(statuses.map((s) => [s.messageId, s.source]));
  // One timeline per message, as its own timeline page reads it (a dossier holds few messages); a record of another
  // message sharing the correlation id is shown under that message, not twice.
  const timelines = await Promise.all(
    whole.messages.map(async (m) => (await deps.audit.timeline(m.messageId)).filter((r) => r.messageId === null || r.messageId === m.messageId)),
  );
  const masked = <M extends { reason: string | null }>(m: M): M => ({ ...m, reason: view.text(m.reason) });
  return {
    body: {
      maHoSo: whole.maHoSo,
      messages: whole.messages.map((m, i) => ({ ...masked(m), source: sources.get(m.messageId) ?? '', records: timelines[i]!.map(recordView) })),
      lastAcknowledged: whole.lastAcknowledged,
      pending: whole.pending.map(masked),
      personalData: view.shown ? 'shown' : 'masked',
    },
    records: timelines.flat(),
  };
}
