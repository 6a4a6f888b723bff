// Sends test messages through the bus's real HTTP intake and keeps the ids it accepted (answered 202).
import jwt from 'jsonwebtoken';

export function testToken(clientId: string, key: string): string {
  return jwt.sign({}, key, { algorithm: 'HS256', issuer: 'lgsp-bus', audience: 'lgsp-bus', subject: clientId, expiresIn: 3600 });
}

export interface IntakeResult {
  accepted: string[];
  refused: { status: number; body: string }[];
}

export async function sendPings(baseUrl: () => string, token: string, count: number, concurrency = 50, type = 'test.ping'): Promise<IntakeResult> {
  const result: IntakeResult = { accepted: [], refused: [] };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      for (;;) {
        let res: Response;
        try {
          res = await fetch(`${baseUrl()}/api/v1/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ type, subject: `HS-${n}`, payload: { n, note: 'Hồ sơ thử nghiệm số ' + n } }),
          });
        } catch {
          // Bus process down (kill test): the caller got no 202, so it sends again, as a real client would.
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const text = await res.text();
        if (res.status === 202) result.accepted.push((JSON.parse(text) as { messageId: string }).messageId);
        else result.refused.push({ status: res.status, body: text });
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}
