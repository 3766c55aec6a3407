import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/*
 * GHL encrypts the panel's user context with `CryptoJS.AES.encrypt(json, sharedSecret)`: CryptoJS's passphrase
 * mode, which is OpenSSL's `enc` format — base64 of `Salted__` + 8-byte salt + AES-256-CBC ciphertext (PKCS#7),
 * key and IV derived with EVP_BytesToKey (MD5, one iteration). Facts and sources:
 * /work/shared/reference/ghl-platform.md §3.2 and ghl-marketplace-app-template issue #9. node:crypto only, since
 * crypto-js is deprecated.
 */

const MAGIC = Buffer.from('Salted__', 'latin1');
const SALT_LENGTH = 8;
const KEY_LENGTH = 32;
const IV_LENGTH = 16;
const BLOCK = 16;

/** Thrown for anything that is not a well-formed payload under this key; callers answer 401 without detail. */
export class SsoPayloadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SsoPayloadError';
  }
}

/** OpenSSL's EVP_BytesToKey with MD5 and one iteration: D_i = MD5(D_{i-1} || pass || salt). */
function evpBytesToKey(passphrase: Buffer, salt: Buffer): { key: Buffer; iv: Buffer } {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  let length = 0;
  while (length < KEY_LENGTH + IV_LENGTH) {
    previous = createHash('md5').update(Buffer.concat([previous, passphrase, salt])).digest();
    blocks.push(previous);
    length += previous.length;
  }
  const all = Buffer.concat(blocks);
  return { key: all.subarray(0, KEY_LENGTH), iv: all.subarray(KEY_LENGTH, KEY_LENGTH + IV_LENGTH) };
}

/** Decrypts a CryptoJS/OpenSSL passphrase payload and parses its JSON. Throws SsoPayloadError otherwise. */
export function decryptSsoPayload(payload: string, key: string): unknown {
  const compact = payload.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new SsoPayloadError('Payload is not base64');
  const raw = Buffer.from(compact, 'base64');
  const headerLength = MAGIC.length + SALT_LENGTH;
  if (raw.length < headerLength + BLOCK || !raw.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SsoPayloadError('Payload is not in the salted format');
  }
  const body = raw.subarray(headerLength);
  if (body.length % BLOCK !== 0) throw new SsoPayloadError('Payload length is not a whole number of blocks');
  const { key: aesKey, iv } = evpBytesToKey(Buffer.from(key, 'utf8'), raw.subarray(MAGIC.length, headerLength));
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', aesKey, iv);
    plain = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (err) {
    // Bad padding: a wrong key or a tampered ciphertext (CBC has no MAC; JSON parsing catches the rest).
    throw new SsoPayloadError('Payload does not decrypt under this key', { cause: err });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch (err) {
    throw new SsoPayloadError('Decrypted payload is not UTF-8', { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SsoPayloadError('Decrypted payload is not JSON', { cause: err });
  }
}

/**
 * Encrypts a value exactly like GHL does (`CryptoJS.AES.encrypt(JSON.stringify(value), key).toString()`), for the
 * sandbox host page and tests. A fresh random salt each call.
 */
export function encryptSsoPayload(value: unknown, key: string, salt: Buffer = randomBytes(SALT_LENGTH)): string {
  if (salt.length !== SALT_LENGTH) throw new Error('Salt must be 8 bytes');
  const { key: aesKey, iv } = evpBytesToKey(Buffer.from(key, 'utf8'), salt);
  const cipher = createCipheriv('aes-256-cbc', aesKey, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([MAGIC, salt, body]).toString('base64');
}
