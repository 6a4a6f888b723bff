// A redelivered package hands every fan-out part over again, under ids derived from the package and the recipient: a
// process killed after recording a part but before publishing it must not leave that recipient without its document,
// and the same ids let the effect log recognise a part already delivered (chaos: bus-sigkill).
import { createEnvelope } from '../../../src/core/envelope';
import { createFanoutAdapter } from '../../../src/flows/edoc/adapters/fanout-adapter';
import type { EdocSendPayload } from '../../../src/flows/edoc/payloads';
import type { DispatchRequest, DispatchResult, FlowIntake } from '../../../src/messaging/message-intake';

const RECIPIENTS = ['000.00.02.H10', '000.00.03.H10'];

test('a package redelivered after its process died mid fan-out publishes the missing part under the id it was first given', async () => {
  const published: DispatchRequest[] = [];
  let dieBeforePublishing: string | null = RECIPIENTS[1]!;
  // The part for the second recipient is recorded, then the process "dies" before it is published.
  const intake: FlowIntake = {
    dispatch: async (request: DispatchRequest): Promise<DispatchResult> => {
      if (request.destination === dieBeforePublishing) {
        dieBeforePublishing = null;
        throw new Error('process killed between recording the part and publishing it');
      }
      published.push(request);
      return { ok: true, route: 'edoc-mailbox', envelope: createEnvelope({ ...request, id: request.messageId }) };
    },
  };
  const adapter = createFanoutAdapter({ messageIntake: intake });
  const payload: EdocSendPayload = {
    blob: { documentId: '000.00.01.H10,2026/11/27,7/UBND-VP', sha256: 'ab'.repeat(32), bytes: 1234 },
    fromOrgan: '000.00.01.H10',
    businessDocType: 0,
    recipients: RECIPIENTS.map((organId) => ({ organId, delivery: 'mailbox' })),
    signature: null,
  };
  const pkg = createEnvelope({ type: 'edoc.send', source: 'qlvb-a', subject: payload.blob.documentId, payload });

  await expect(adapter.deliver(pkg, new AbortController().signal)).rejects.toThrow('process killed');
  await adapter.deliver(pkg, new AbortController().signal);

  const byRecipient = new Map<string, Set<string>>();
  for (const p of published) byRecipient.set(p.destination!, (byRecipient.get(p.destination!) ?? new Set()).add(p.messageId!));
  expect([...byRecipient.keys()].sort()).toEqual(RECIPIENTS);
  // Every recipient's part keeps one id across the redelivery, distinct per recipient.
  for (const ids of byRecipient.values()) expect(ids.size).toBe(1);
  expect(new Set(published.map((p) => p.messageId)).size).toBe(RECIPIENTS.length);
});
