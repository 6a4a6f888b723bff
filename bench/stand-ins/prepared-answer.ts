// An HTTP answer of a bench stand-in, prepared once: status, content type and the exact body bytes.
export interface PreparedAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

export function jsonAnswer(status: number, value: unknown): PreparedAnswer {
  return { status, contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(value)) };
}
