import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';

export type WebhookScheme = 'ed25519' | 'rsa' | 'both' | 'none';

/**
 * Signs webhook bodies the two ways GHL does (ghl-platform.md §2.3): Ed25519 over the raw bytes in
 * `x-ghl-signature`, and the legacy RSA-SHA256 in `x-wh-signature`, both base64. Keys given as PEM are used
 * as-is; missing ones are generated on first use.
 */
export class WebhookSigner {
  private ed25519: KeyObject | undefined;
  private rsa: KeyObject | undefined;

  constructor(ed25519Pem?: string, rsaPem?: string) {
    if (ed25519Pem !== undefined) this.ed25519 = loadKey(ed25519Pem, 'ed25519');
    if (rsaPem !== undefined) this.rsa = loadKey(rsaPem, 'rsa');
  }

  get ed25519PublicKeyPem(): string {
    return createPublicKey(this.ed25519Key()).export({ type: 'spki', format: 'pem' }).toString();
  }

  get rsaPublicKeyPem(): string {
    return createPublicKey(this.rsaKey()).export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(rawBody: string | Buffer): { ed25519: string; rsa: string } {
    const bytes = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
    return {
      ed25519: sign(null, bytes, this.ed25519Key()).toString('base64'),
      rsa: sign('sha256', bytes, this.rsaKey()).toString('base64'),
    };
  }

  /** Adds webhookId/timestamp unless present, serialises once, signs exactly those bytes and POSTs them. */
  async send(
    url: string,
    payload: object,
    scheme: WebhookScheme,
    now: () => number,
  ): Promise<{ status: number; body: string }> {
    const full: Record<string, unknown> = { ...payload };
    if (full.webhookId === undefined) full.webhookId = randomUUID();
    if (full.timestamp === undefined) full.timestamp = new Date(now()).toISOString();
    const raw = Buffer.from(JSON.stringify(full), 'utf8');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (scheme === 'ed25519' || scheme === 'both')
      headers['x-ghl-signature'] = sign(null, raw, this.ed25519Key()).toString('base64');
    if (scheme === 'rsa' || scheme === 'both')
      headers['x-wh-signature'] = sign('sha256', raw, this.rsaKey()).toString('base64');
    const response = await fetch(url, { method: 'POST', headers, body: raw, signal: AbortSignal.timeout(30_000) });
    return { status: response.status, body: await response.text() };
  }

  private ed25519Key(): KeyObject {
    this.ed25519 ??= generateKeyPairSync('ed25519').privateKey;
    return this.ed25519;
  }

  private rsaKey(): KeyObject {
    this.rsa ??= sharedRsaKey();
    return this.rsa;
  }
}

let generatedRsaKey: KeyObject | undefined;

/** One generated RSA key per process: 2048-bit generation costs ~100 ms and tests make many simulators. */
function sharedRsaKey(): KeyObject {
  generatedRsaKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return generatedRsaKey;
}

function loadKey(pem: string, type: 'ed25519' | 'rsa'): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== type)
    throw new Error(`GHL simulator: expected a ${type} private key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}
