import { generateKeyPairSync, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGhlSimulator } from '../../../server/sandbox/ghl-simulator/ghl-simulator';
import { CLIENT_ID, CLIENT_SECRET } from './ghl-simulator-fixtures';

interface Received {
  raw: Buffer;
  headers: http.IncomingHttpHeaders;
}

let receiver: http.Server | undefined;
afterEach(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  receiver = undefined;
});

/** A loopback endpoint that keeps the exact bytes it was sent. */
async function startReceiver(status = 200): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ raw: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/ghl`, received };
}

const newSimulator = (options: { webhookPrivateKeyPem?: string } = {}) =>
  createGhlSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });

describe('GHL simulator webhooks', () => {
  it('sign › raw bytes › both signatures verify with the published public keys', () => {
    const sim = newSimulator();
    const raw = Buffer.from('{"type":"ContactCreate","name":"שלום"}', 'utf8');

    const signatures = sim.sign(raw);

    expect(verify(null, raw, sim.webhookPublicKeyPem, Buffer.from(signatures.ed25519, 'base64'))).toBe(true);
    expect(verify('sha256', raw, sim.rsaPublicKeyPem, Buffer.from(signatures.rsa, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(`${raw.toString()} `), sim.webhookPublicKeyPem, Buffer.from(signatures.ed25519, 'base64'))).toBe(false);
  });

  it('sign › given Ed25519 key › public key is its pair', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const sim = newSimulator({ webhookPrivateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });

    expect(sim.webhookPublicKeyPem).toBe(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  });

  it('sendWebhook › default scheme › signed exact bytes, webhookId and timestamp added, Hebrew intact', async () => {
    const sim = newSimulator();
    const { url, received } = await startReceiver();

    const answer = await sim.sendWebhook(url, { type: 'NoteCreate', locationId: 'loc1', body: 'הערה חדשה' });

    expect(answer).toEqual({ status: 200, body: '{"ok":true}' });
    const [request] = received;
    const payload = JSON.parse(request!.raw.toString('utf8')) as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'NoteCreate',
      body: 'הערה חדשה',
      webhookId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      timestamp: expect.any(String),
    });
    expect(request!.headers['content-type']).toBe('application/json');
    const ed = Buffer.from(String(request!.headers['x-ghl-signature']), 'base64');
    const rsa = Buffer.from(String(request!.headers['x-wh-signature']), 'base64');
    expect(verify(null, request!.raw, sim.webhookPublicKeyPem, ed)).toBe(true);
    expect(verify('sha256', request!.raw, sim.rsaPublicKeyPem, rsa)).toBe(true);
  });

  it('sendWebhook › given webhookId and timestamp › kept as sent', async () => {
    const sim = newSimulator();
    const { url, received } = await startReceiver();

    await sim.sendWebhook(url, { type: 'INSTALL', webhookId: 'fixed-id', timestamp: '2026-01-01T00:00:00.000Z' });

    expect(JSON.parse(received[0]!.raw.toString())).toMatchObject({ webhookId: 'fixed-id', timestamp: '2026-01-01T00:00:00.000Z' });
  });

  it('sendWebhook › scheme ed25519 / none › only the chosen header', async () => {
    const sim = newSimulator();
    const { url, received } = await startReceiver(401);

    const answer = await sim.sendWebhook(url, { type: 'ContactUpdate' }, { scheme: 'ed25519' });
    await sim.sendWebhook(url, { type: 'ContactUpdate' }, { scheme: 'none' });

    expect(answer.status).toBe(401);
    expect(received[0]!.headers['x-ghl-signature']).toBeDefined();
    expect(received[0]!.headers['x-wh-signature']).toBeUndefined();
    expect(received[1]!.headers['x-ghl-signature']).toBeUndefined();
    expect(received[1]!.headers['x-wh-signature']).toBeUndefined();
  });
});
