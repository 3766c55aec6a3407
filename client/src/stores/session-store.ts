import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { SessionLocation, SessionResponse, SessionUser } from '../../../shared/contracts/session';
import { createSession } from '../api/session-api';
import { requestGhlUserData } from '../composables/useGhlUserContext';
import { toUiError, type UiError } from '../api/ui-error';

export type SessionStatus = 'idle' | 'pending' | 'ready' | 'error';

/** Renew this long before the JWT expires, so no request ever carries a dead token. */
export const RENEW_BEFORE_MS = 60_000;
/** A token closer than this to expiry is not used; a fresh handshake runs first. */
const MIN_VALIDITY_MS = 10_000;
const RETRY_RENEW_MS = 15_000;

/**
 * The panel session: GHL handshake → `POST /api/session` → short-lived JWT. The token lives in memory only
 * (third-party cookies and storage are unreliable in GHL's iframe) and is renewed by repeating the handshake.
 */
export const useSessionStore = defineStore('session', () => {
  const token = ref<string | null>(null);
  const expiresAt = ref<number | null>(null);
  const user = ref<SessionUser | null>(null);
  const location = ref<SessionLocation | null>(null);
  const status = ref<SessionStatus>('idle');
  const error = ref<UiError | null>(null);

  const isAdmin = computed(() => user.value?.role === 'admin');
  const needsReconnect = computed(() => location.value?.status === 'needs_reconnect');

  let inflight: Promise<string> | null = null;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;

  function apply(session: SessionResponse): void {
    token.value = session.token;
    expiresAt.value = Date.parse(session.expiresAt);
    user.value = session.user;
    location.value = session.location;
    status.value = 'ready';
    error.value = null;
    scheduleRenewal();
  }

  function scheduleRenewal(delayMs?: number): void {
    clearTimeout(renewTimer);
    if (expiresAt.value === null) return;
    const remaining = expiresAt.value - Date.now();
    const delay = delayMs ?? Math.max(remaining - RENEW_BEFORE_MS, remaining / 2, 1000);
    renewTimer = setTimeout(() => {
      renew().catch(() => {
        // Keep the current token while it is valid and try again; past expiry the error state shows.
        if (expiresAt.value !== null && expiresAt.value - Date.now() > MIN_VALIDITY_MS) scheduleRenewal(RETRY_RENEW_MS);
      });
    }, delay);
  }

  /** Runs the handshake once even when many callers ask at the same time. */
  function renew(): Promise<string> {
    inflight ??= (async () => {
      if (status.value !== 'ready') status.value = 'pending';
      try {
        const payload = await requestGhlUserData();
        const session = await createSession(payload);
        apply(session);
        return session.token;
      } catch (err) {
        const valid = token.value !== null && expiresAt.value !== null && expiresAt.value - Date.now() > MIN_VALIDITY_MS;
        if (!valid) {
          status.value = 'error';
          error.value = toUiError(err);
        }
        throw err;
      }
    })().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  /** Starts the session at boot; failures land in `status`/`error` for the UI. */
  async function start(): Promise<void> {
    if (status.value === 'ready') return;
    await renew().catch(() => undefined);
  }

  /** A token valid for at least a few more seconds, renewing first when needed. */
  async function ensureToken(): Promise<string> {
    if (token.value && expiresAt.value !== null && expiresAt.value - Date.now() > MIN_VALIDITY_MS) return token.value;
    return renew();
  }

  /** An API answer said the location's GHL connection is gone: show the reconnect banner at once. */
  function markNeedsReconnect(reason?: string): void {
    if (location.value) location.value = { ...location.value, status: 'needs_reconnect', statusReason: reason };
  }

  function stop(): void {
    clearTimeout(renewTimer);
  }

  return {
    token,
    expiresAt,
    user,
    location,
    status,
    error,
    isAdmin,
    needsReconnect,
    start,
    renew,
    ensureToken,
    markNeedsReconnect,
    stop,
  };
});

