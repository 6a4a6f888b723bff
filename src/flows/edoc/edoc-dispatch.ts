// Hands edoc messages to the transport through the configured routes (content-based: the route is chosen by type and
// payload.delivery in routes.yaml), always via MessageIntake.
import type { JsonValue } from '../../envelope/envelope';
import type { Envelope } from '../../envelope/envelope';
import type { MessageIntake } from '../../intake/message-intake';
import type { RouteTable } from '../../routing/route-table';

export interface EdocDispatchRequest {
  type: string;
  source: string;
  destination: string | null;
  subject: string | null;
  payload: JsonValue;
  correlationId?: string;
  causationId?: string | null;
}

export type EdocDispatchResult =
  | { ok: true; envelope: Envelope }
  | { ok: false; code: 'NO_ROUTE' | 'ROUTE_FORBIDDEN' | 'TRANSPORT_UNAVAILABLE' | 'STORE_UNAVAILABLE'; message: string };

export class EdocDispatch {
  constructor(
    private readonly routes: RouteTable,
    private readonly intake: MessageIntake,
  ) {}

  async accept(request: EdocDispatchRequest): Promise<EdocDispatchResult> {
    const decision = this.routes.resolve({
      type: request.type,
      source: request.source,
      destination: request.destination,
      subject: request.subject,
      payload: request.payload,
    });
    if (!decision.ok) return decision;
    return this.intake.accept({ route: decision.route, ...request });
  }
}
