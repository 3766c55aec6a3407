/** What the UI needs to explain a failure: a code picking the translated text, the server's message as fallback. */
export interface UiError {
  code: string;
  message: string;
  status?: number;
}

/** Normalises anything thrown (ApiError, GhlContextError, TypeError…) into a {@link UiError}. */
export function toUiError(err: unknown): UiError {
  if (typeof err === 'object' && err !== null && 'code' in err && 'message' in err) {
    const e = err as { code: unknown; message: unknown; status?: unknown };
    return {
      code: String(e.code),
      message: String(e.message),
      ...(typeof e.status === 'number' ? { status: e.status } : {}),
    };
  }
  return { code: 'unknown', message: err instanceof Error ? err.message : String(err) };
}

/** True for a fetch aborted on purpose (a newer request replaced it). */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
