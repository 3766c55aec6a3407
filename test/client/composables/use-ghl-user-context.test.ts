import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GhlContextError, requestGhlUserData } from '../../../client/src/composables/useGhlUserContext';

/** A real (jsdom) window standing in for GHL's page, so `event.source` checks are the browser's own. */
function fakeGhlParent() {
  const frame = document.createElement('iframe');
  document.body.append(frame);
  const parent = frame.contentWindow!;
  const posted: unknown[] = [];
  vi.spyOn(parent, 'postMessage').mockImplementation((message: unknown) => {
    posted.push(message);
  });
  return { parent, posted, remove: () => frame.remove() };
}

function answer(source: Window | null, data: unknown) {
  window.dispatchEvent(new MessageEvent('message', { data, source }));
}

describe('requestGhlUserData', () => {
  let ghl: ReturnType<typeof fakeGhlParent>;
  beforeEach(() => {
    ghl = fakeGhlParent();
  });
  afterEach(() => {
    ghl.remove();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('requestGhlUserData › parent answers › posts REQUEST_USER_DATA and resolves with the encrypted payload', async () => {
    const pending = requestGhlUserData({ parent: ghl.parent });
    answer(ghl.parent, { message: 'REQUEST_USER_DATA_RESPONSE', payload: 'U2FsdGVkX1abc' });

    await expect(pending).resolves.toBe('U2FsdGVkX1abc');
    expect(ghl.posted).toEqual([{ message: 'REQUEST_USER_DATA' }]);
  });

  it('requestGhlUserData › foreign messages arrive first › ignores them and waits for the real answer', async () => {
    const other = fakeGhlParent();
    const pending = requestGhlUserData({ parent: ghl.parent });

    answer(other.parent, { message: 'REQUEST_USER_DATA_RESPONSE', payload: 'from-another-frame' });
    answer(ghl.parent, { message: 'SOMETHING_ELSE', payload: 'x' });
    answer(ghl.parent, { message: 'REQUEST_USER_DATA_RESPONSE', payload: '' });
    answer(ghl.parent, 'REQUEST_USER_DATA_RESPONSE');
    answer(ghl.parent, { message: 'REQUEST_USER_DATA_RESPONSE', payload: 'the-real-one' });

    await expect(pending).resolves.toBe('the-real-one');
    other.remove();
  });

  it('requestGhlUserData › parent never answers › rejects with handshake_timeout after the timeout', async () => {
    vi.useFakeTimers();
    const pending = requestGhlUserData({ parent: ghl.parent, timeoutMs: 5000 });
    const outcome = pending.catch((err: unknown) => err);

    await vi.advanceTimersByTimeAsync(5000);

    const err = await outcome;
    expect(err).toBeInstanceOf(GhlContextError);
    expect((err as GhlContextError).code).toBe('handshake_timeout');
    expect((err as GhlContextError).message).toMatch(/inside GoHighLevel/);
  });

  it('requestGhlUserData › page is not framed › rejects at once with not_in_ghl', async () => {
    const pending = requestGhlUserData({ parent: window });

    await expect(pending).rejects.toMatchObject({ code: 'not_in_ghl', message: expect.stringMatching(/inside GoHighLevel/) });
  });

  it('requestGhlUserData › answer after timeout › listener is gone and the late answer changes nothing', async () => {
    vi.useFakeTimers();
    const removeSpy = vi.spyOn(window, 'removeEventListener');
    const outcome = requestGhlUserData({ parent: ghl.parent, timeoutMs: 100 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);

    answer(ghl.parent, { message: 'REQUEST_USER_DATA_RESPONSE', payload: 'late' });

    expect(await outcome).toBeInstanceOf(GhlContextError);
    expect(removeSpy).toHaveBeenCalledWith('message', expect.any(Function));
  });
});
