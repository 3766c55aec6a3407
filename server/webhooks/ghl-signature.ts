import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export type GhlSignatureScheme = 'ed25519' | 'rsa';

export interface GhlSignatureHeaders {
  /** `x-ghl-signature`: Ed25519 over the raw body, base64. */
  ghl?: string | undefined;
  /** `x-wh-signature`: legacy RSA-SHA256 over the raw body, base64 (being retired by GHL in 2026). */
  wh?: string | undefined;
}

/**
 * Verifies GHL webhook signatures over the exact bytes received (ghl-platform.md §2.3; GHL's own sample signs
 * `JSON.stringify(payload)`, but any re-serialisation can change bytes, so only the raw body is trusted).
 * Keys are parsed once.
 */
export class GhlSignatureVerifier {
  private readonly ed25519: KeyObject;
  private readonly rsa: KeyObject;

  constructor(keys: { ed25519PublicKeyPem: string; rsaPublicKeyPem: string }) {
    this.ed25519 = createPublicKey(keys.ed25519PublicKeyPem);
    this.rsa = createPublicKey(keys.rsaPublicKeyPem);
  }

  /**
   * Returns the scheme that verified, or null when no header is present or none verifies. While GHL sends
   * both headers during its migration, either valid one is enough.
   */
  verify(raw: Buffer, headers: GhlSignatureHeaders): GhlSignatureScheme | null {
    const ghl = decodeSignature(headers.ghl);
    if (ghl && safeVerify(() => verify(null, raw, this.ed25519, ghl))) return 'ed25519';
    const wh = decodeSignature(headers.wh);
    if (wh && safeVerify(() => verify('sha256', raw, this.rsa, wh))) return 'rsa';
    return null;
  }
}

function decodeSignature(value: string | undefined): Buffer | undefined {
  const trimmed = value?.trim();
  if (!trimmed || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}

function safeVerify(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    // A signature of the wrong length or shape throws in node:crypto; it is simply not valid.
    return false;
  }
}
