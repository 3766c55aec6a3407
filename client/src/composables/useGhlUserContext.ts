import { ref } from 'vue';

/** Why GHL's user context could not be obtained; `code` picks the translated explanation. */
export class GhlContextError extends Error {
  constructor(
    readonly code: 'not_in_ghl' | 'handshake_timeout',
    message: string,
  ) {
    super(message);
    this.name = 'GhlContextError';
  }
}

export interface GhlUserContextOptions {
  /** The window that answers (GHL's page). Defaults to `window.parent`. */
  parent?: Window;
  /** Where the answer arrives. Defaults to `window`. */
  self?: Window;
  timeoutMs?: number;
}

export const HANDSHAKE_TIMEOUT_MS = 8000;

/**
 * Asks the GHL page hosting this iframe for the encrypted user context: posts `{message:'REQUEST_USER_DATA'}`
 * to the parent and resolves with `payload` of the `REQUEST_USER_DATA_RESPONSE` answer
 * (reference/ghl-platform.md §3.1, https://marketplace.gohighlevel.com/docs/other/user-context-marketplace-apps).
 */
export function requestGhlUserData(options: GhlUserContextOptions = {}): Promise<string> {
  const self = options.self ?? window;
  const parent = options.parent ?? self.parent;
  const timeoutMs = options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;

  if (!parent || parent === self) {
    return Promise.reject(
      new GhlContextError('not_in_ghl', 'Open this page inside GoHighLevel: it needs the GoHighLevel user context.'),
    );
  }

  return new Promise<string>((resolve, reject) => {
    const onMessage = (event: MessageEvent) => {
      // Only the hosting page may answer; other frames (widgets, extensions) post messages too.
      if (event.source !== parent) return;
      const data: unknown = event.data;
      if (typeof data !== 'object' || data === null) return;
      const { message, payload } = data as { message?: unknown; payload?: unknown };
      if (message !== 'REQUEST_USER_DATA_RESPONSE' || typeof payload !== 'string' || payload === '') return;
      cleanup();
      resolve(payload);
    };
    const timer = setTimeout(() => {
      cleanup();
      // GHL stays silent until the app has a Shared Secret (ghl-marketplace-app-template issue #7).
      reject(
        new GhlContextError(
          'handshake_timeout',
          'GoHighLevel did not send the user context. Open this page inside GoHighLevel, and check that the app has a Shared Secret.',
        ),
      );
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      self.removeEventListener('message', onMessage);
    }
    self.addEventListener('message', onMessage);
    // GHL's page origin varies with white-label domains, so the target origin cannot be pinned.
    parent.postMessage({ message: 'REQUEST_USER_DATA' }, '*');
  });
}

/** Reactive wrapper of {@link requestGhlUserData} for components: `payload`, `error`, `pending`, `request()`. */
export function useGhlUserContext(options: GhlUserContextOptions = {}) {
  const payload = ref<string | null>(null);
  const error = ref<GhlContextError | null>(null);
  const pending = ref(false);
  async function request(): Promise<string> {
    pending.value = true;
    error.value = null;
    try {
      payload.value = await requestGhlUserData(options);
      return payload.value;
    } catch (err) {
      error.value = err as GhlContextError;
      throw err;
    } finally {
      pending.value = false;
    }
  }
  return { payload, error, pending, request };
}
