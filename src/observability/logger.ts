// pino JSON logger; payloads never reach it, and fields that could carry personal data or secrets are redacted.
import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths censored wherever they appear: citizen ids, names, birth dates, credentials. */
export const REDACTED_PATHS = [
  'payload',
  '*.payload',
  'body',
  '*.body',
  'req.headers.authorization',
  'headers.authorization',
  '*.SoDinhDanh',
  '*.soDinhDanh',
  '*.ChuHoSo',
  '*.hoVaTen',
  '*.HoVaTen',
  '*.NgaySinh',
  '*.ngaySinh',
  'token',
  '*.token',
  'password',
  '*.password',
  'amqpUrl',
  'amqpUrls',
  'databaseUrl',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'lgsp-bus', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Removes user:password from a connection URL before it is shown anywhere. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
