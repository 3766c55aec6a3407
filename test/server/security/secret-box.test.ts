import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, keyIdOf } from '../../../server/security/secret-box';

describe('SecretBox', () => {
  it('encrypt › Hebrew text › decrypts to the same bytes and hides the plain text', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.encrypt('טוקן-סודי token');
    expect(sealed).not.toContain('token');
    expect(box.decrypt(sealed)).toBe('טוקן-סודי token');
  });

  it('encrypt › same text twice › different ciphertexts (random nonce)', () => {
    const box = new SecretBox(randomBytes(32));
    expect(box.encrypt('x')).not.toBe(box.encrypt('x'));
  });

  it('decrypt › one byte of the ciphertext changed › throws', () => {
    const box = new SecretBox(randomBytes(32));
    const parts = box.encrypt('secret value').split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow();
  });

  it('rotation › old key kept as previous › old rows readable and flagged for re-encryption', () => {
    const oldKey = randomBytes(32);
    const sealedOld = new SecretBox(oldKey).encrypt('refresh-token');
    const rotated = new SecretBox(randomBytes(32), [oldKey]);
    expect(rotated.decrypt(sealedOld)).toBe('refresh-token');
    expect(rotated.needsRotation(sealedOld)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt('x'))).toBe(false);
    expect(sealedOld.split('.')[1]).toBe(keyIdOf(oldKey));
  });

  it('decrypt › key not configured › error names the missing key id', () => {
    const sealed = new SecretBox(randomBytes(32)).encrypt('x');
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed)).toThrow(/No encryption key with id/);
  });
});
