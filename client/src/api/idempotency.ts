/** A fresh idempotency key (UUID v4). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/**
 * Keeps one idempotency key per logical submission of a form: the same payload submitted again (a double click,
 * or "try again" after an error) reuses the key, so the server writes once; a success or a changed payload starts
 * a new submission.
 */
export function createSubmissionKeys() {
  let current: { fingerprint: string; key: string } | null = null;
  return {
    keyFor(payload: unknown): string {
      const fingerprint = JSON.stringify(payload);
      if (current?.fingerprint !== fingerprint) current = { fingerprint, key: newIdempotencyKey() };
      return current.key;
    },
    /** Call after the server accepted the write, so the next submission gets a new key. */
    succeeded(): void {
      current = null;
    },
  };
}
