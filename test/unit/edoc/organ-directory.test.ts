// The edoc organ directory and settings: delivery per organ, unknown organs, which clients speak for which organs.
import { OrganDirectory } from '../../../src/flows/edoc/organ-directory';
import { edocSettingsSchema } from '../../../src/flows/edoc/settings';
import { AXIS_MESSAGE_TYPE_FOR_BUSINESS } from '../../../src/flows/edoc/adapters/axis-adapter';
import { isEdocDeliverPayload, isEdocStatusPayload } from '../../../src/flows/edoc/payloads';

const organs = {
  '000.00.01.H10': { name: 'UBND huyện A', delivery: 'mailbox' as const, clientIds: ['qlvb-a', 'qlvb-shared'] },
  '000.00.03.H10': { name: 'UBND huyện C', delivery: 'push' as const, pushUrl: 'http://127.0.0.1:1/', pushToken: { env: 'T' }, clientIds: ['qlvb-shared'] },
};

describe('organ directory', () => {
  test('known organs keep their delivery; unknown go to the axis or are refused as configured', () => {
    const toAxis = new OrganDirectory({ organs, unknownOrgans: 'axis' });
    expect(toAxis.deliveryFor('000.00.03.H10')).toEqual({ ok: true, delivery: 'push' });
    expect(toAxis.deliveryFor('000.00.00.G22')).toEqual({ ok: true, delivery: 'axis' });
    expect(new OrganDirectory({ organs, unknownOrgans: 'reject' }).deliveryFor('000.00.00.G22')).toEqual({ ok: false });
    expect(toAxis.deliveryFor('constructor')).toEqual({ ok: true, delivery: 'axis' });
  });

  test('a client speaks only for the organs that list it', () => {
    const directory = new OrganDirectory({ organs, unknownOrgans: 'reject' });
    expect(directory.organsOf('qlvb-shared')).toEqual(['000.00.01.H10', '000.00.03.H10']);
    expect(directory.speaksFor('qlvb-a', '000.00.03.H10')).toBe(false);
    expect(directory.organsOf('nobody')).toEqual([]);
    expect(directory.pushOrgans().map(([id]) => id)).toEqual(['000.00.03.H10']);
  });
});

describe('edoc settings', () => {
  test('defaults: 40 MiB packages, unknown organs to the axis, SOAP at /soap/edoc', () => {
    const parsed = edocSettingsSchema.parse({ busOrganId: '000.00.00.H10', axis: { url: 'http://axis.local/', systemId: 's', secret: { env: 'S' } } });
    expect(parsed).toMatchObject({ maxPackageBytes: 40 * 1024 * 1024, unknownOrgans: 'axis', soap: { path: '/soap/edoc' } });
  });

  test('a push organ needs its endpoint, and the axis needs settings while anything uses it', () => {
    expect(edocSettingsSchema.safeParse({ busOrganId: 'x', unknownOrgans: 'reject', organs: { a: { name: 'A', delivery: 'push' } } }).success).toBe(false);
    expect(edocSettingsSchema.safeParse({ busOrganId: 'x' }).success).toBe(false);
    expect(edocSettingsSchema.safeParse({ busOrganId: 'x', unknownOrgans: 'reject' }).success).toBe(true);
    expect(edocSettingsSchema.safeParse({ busOrganId: 'x', unknownOrgans: 'reject', extra: 1 }).success).toBe(false);
  });
});

describe('edoc payloads and protocol mapping', () => {
  test('revocation, update and replacement travel as the axis message types of the same names', () => {
    expect(AXIS_MESSAGE_TYPE_FOR_BUSINESS).toEqual({ 0: 'edoc', 1: 'revocation', 2: 'update', 3: 'replacement' });
  });

  test('payload guards accept only claim-check payloads', () => {
    const blob = { documentId: 'D', sha256: 'a'.repeat(64), bytes: 10 };
    expect(isEdocDeliverPayload({ blob, fromOrgan: 'A', toOrgan: 'B', delivery: 'push', businessDocType: 1 })).toBe(true);
    expect(isEdocDeliverPayload({ blob, fromOrgan: 'A', toOrgan: 'B', delivery: 'fax', businessDocType: 1 })).toBe(false);
    expect(isEdocStatusPayload({ blob, fromOrgan: 'A', toOrgan: 'B', delivery: 'mailbox', statusCode: '03' })).toBe(true);
    expect(isEdocStatusPayload({ blob: 'x', fromOrgan: 'A', toOrgan: 'B', delivery: 'mailbox', statusCode: '03' })).toBe(false);
  });
});
