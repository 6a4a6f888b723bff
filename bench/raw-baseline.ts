// The raw baseline of `npm run bench`: a bare express endpoint that publishes the request body to one RabbitMQ quorum
// queue through a confirm channel and answers 202 only after the broker's confirm. No auth, no schema, no audit, no
// envelope: the floor a bus on the same broker cannot beat. Run as a child process by bench/run.ts:
//   node dist/bench/raw-baseline.js <amqpUrl> <queueName> <port>
import amqp from 'amqplib';
import express, { type Request, type Response } from 'express';

async function main(): Promise<void> {
  const [amqpUrl, queue, portText] = process.argv.slice(2);
  if (!amqpUrl || !queue || !portText) throw new Error('usage: raw-baseline <amqpUrl> <queue> <port>');
  const connection = await amqp.connect(amqpUrl, { noDelay: true });
  connection.on('error', (error: Error) => process.stderr.write(`connection error: ${error.message}\n`));
  connection.on('close', () => process.stderr.write('connection closed\n'));
  connection.on('blocked', (reason: string) => process.stderr.write(`connection blocked: ${reason}\n`));
  const channel = await connection.createConfirmChannel();
  channel.on('error', (error: Error) => process.stderr.write(`channel error: ${error.message}\n`));
  channel.on('close', () => process.stderr.write('channel closed\n'));
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  const publish = (content: Buffer) =>
    new Promise<void>((resolve, reject) => {
      channel.publish('', queue, content, { persistent: true, contentType: 'application/json' }, (error: unknown) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      );
    });
  let failures = 0;
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req: Request, res: Response) => void res.json({ status: 'ok' }));
  app.post('/raw', express.json({ limit: '1mb' }), async (req: Request, res: Response) => {
    try {
      await publish(Buffer.from(JSON.stringify(req.body)));
      res.status(202).json({ status: 'accepted' });
    } catch (error) {
      if (failures++ < 5) process.stderr.write(`publish failed: ${(error as Error).message}\n`);
      res.status(503).json({ code: 'TRANSPORT_UNAVAILABLE' });
    }
  });
  const server = app.listen(Number(portText), '127.0.0.1', () => process.stdout.write(`raw baseline ready on ${portText}\n`));
  process.on('SIGTERM', () => {
    server.close();
    void channel
      .deleteQueue(queue)
      .then(() => connection.close())
      .finally(() => process.exit(0));
  });
}

main().catch((error: Error) => {
  process.stderr.write(`raw baseline failed: ${error.message}\n`);
  process.exit(1);
});
