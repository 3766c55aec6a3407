import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (tokens, Responder credentials). Stored form:
 * `v1.<keyId>.<nonce>.<tag>.<ciphertext>` (base64url parts). The key id lets old rows be read after a key
 * rotation and found by the re-encryption command.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(currentKey: Buffer, previousKeys: Buffer[] = []) {
    for (const key of [currentKey, ...previousKeys]) {
      if (key.length !== 32) throw new Error('Encryption keys must be 32 bytes');
      this.keys.set(keyIdOf(key), key);
    }
    this.currentKeyId = keyIdOf(currentKey);
  }

  encrypt(plain: string): string {
    const key = this.keys.get(this.currentKeyId)!;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', this.currentKeyId, nonce, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  decrypt(boxed: string): string {
    const [version, keyId, nonce, tag, body] = boxed.split('.');
    if (version !== 'v1' || !keyId || nonce === undefined || tag === undefined || body === undefined) {
      throw new Error('Not a sealed secret');
    }
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`No encryption key with id ${keyId}; set APP_ENCRYPTION_KEY_PREVIOUS to read it`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  encryptNullable(plain: string | null | undefined): string | null {
    return plain == null ? null : this.encrypt(plain);
  }

  decryptNullable(boxed: string | null | undefined): string | null {
    return boxed == null ? null : this.decrypt(boxed);
  }

  /** True when the value is sealed under a key other than the current one (the rotation command re-seals it). */
  needsRotation(boxed: string): boolean {
    return boxed.split('.')[1] !== this.currentKeyId;
  }
}

/** A short public fingerprint of a key: never the key itself. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}
