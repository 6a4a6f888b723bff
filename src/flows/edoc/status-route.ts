// How a status packet about a document travels back to the document's sender: through the national axis when the
// document came in from it (the axis knows the sender, whatever the directory says), else as the directory routes it.
import type { OrganDirectory, RecipientDecision } from './organ-directory';
import type { EdocAxisInbound } from './stores/edoc-store';

export class StatusRoute {
  constructor(
    private readonly directory: OrganDirectory,
    private readonly axisInbound: EdocAxisInbound,
  ) {}

  /** Store failures are thrown. */
  async deliveryFor(documentId: string, documentSender: string, reporter: string): Promise<RecipientDecision> {
    if ((await this.axisInbound.find(documentId, documentSender, reporter)) !== null) return { ok: true, delivery: 'axis' };
    return this.directory.deliveryFor(documentSender);
  }
}
