// A connected system's identifier in the spirit of X-Road's member and subsystem ids: instance, member class, member
// code, and optionally a subsystem, written `VN/GOV/000.00.00.H10/MOTCUA` (instance first, `/` between the parts).
import { z } from 'zod';

export interface MemberId {
  /** The federation the member belongs to, e.g. `VN`. */
  instance: string;
  /** Kind of member, e.g. `GOV` for a state organ, `COM` for a company. */
  memberClass: string;
  /** The member's code within its class; for an organ its organ id (`000.00.00.H10`). */
  memberCode: string;
  /** The member's system this client is, e.g. `MOTCUA`; null when the client speaks for the member as a whole. */
  subsystem: string | null;
}

/** Characters X-Road allows in identifier parts of REST calls. */
const PART = "[A-Za-z0-9'()+,\\-.=?]{1,64}";
const MEMBER_ID = new RegExp(`^(${PART})/(${PART})/(${PART})(?:/(${PART}))?$`);

export const memberIdSchema = z
  .string()
  .regex(MEMBER_ID, 'a member id is INSTANCE/CLASS/MEMBERCODE or INSTANCE/CLASS/MEMBERCODE/SUBSYSTEM (letters, digits and \'()+,-.=?)')
  .transform((text): MemberId => parseMemberId(text)!);

/** The parts of `INSTANCE/CLASS/MEMBERCODE[/SUBSYSTEM]`, or undefined when the text is not one. */
export function parseMemberId(text: string): MemberId | undefined {
  const match = MEMBER_ID.exec(text);
  if (!match) return undefined;
  return { instance: match[1]!, memberClass: match[2]!, memberCode: match[3]!, subsystem: match[4] ?? null };
}

export function formatMemberId(id: MemberId): string {
  return [id.instance, id.memberClass, id.memberCode, ...(id.subsystem === null ? [] : [id.subsystem])].join('/');
}
