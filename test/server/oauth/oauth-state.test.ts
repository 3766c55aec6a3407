import { describe, expect, it } from 'vitest';
import { OAuthStateSigner, STATE_TTL_MS } from '../../../server/oauth/oauth-state';

describe('OAuthStateSigner', () => {
  it('verify › state from this session within 10 minutes › ok, and only once', () => {
    const signer = new OAuthStateSigner('secret-secret-secret');
    const session: { oauthNonces?: string[] } = {};
    const state = signer.issue(session);

    expect(signer.verify(state, session)).toEqual({ ok: true });
    expect(signer.verify(state, session)).toEqual({ ok: false, reason: 'wrong_session' });
  });

  it('verify › older than 10 minutes › expired', () => {
    let now = 1_000_000;
    const signer = new OAuthStateSigner('secret-secret-secret', () => now);
    const session = {};
    const state = signer.issue(session);
    now += STATE_TTL_MS + 1;

    expect(signer.verify(state, session)).toEqual({ ok: false, reason: 'expired' });
  });

  it('verify › signed with another secret or altered › bad_signature', () => {
    const session = {};
    const state = new OAuthStateSigner('other-secret-value').issue(session);
    const signer = new OAuthStateSigner('secret-secret-secret');
    const own = signer.issue(session);
    const [payload, sig] = own.split('.');
    const forged = `${Buffer.from(JSON.stringify({ n: 'x', exp: 9e15 })).toString('base64url')}.${sig}`;

    expect(signer.verify(state, session)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(signer.verify(forged, session)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(signer.verify(`${payload}`, session)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('verify › no session at all › wrong_session', () => {
    const signer = new OAuthStateSigner('secret-secret-secret');
    const state = signer.issue({});

    expect(signer.verify(state, undefined)).toEqual({ ok: false, reason: 'wrong_session' });
  });

  it('issue › many installs started in one session › only the newest five stay valid', () => {
    const signer = new OAuthStateSigner('secret-secret-secret');
    const session: { oauthNonces?: string[] } = {};
    const states = Array.from({ length: 6 }, () => signer.issue(session));

    expect(signer.verify(states[0]!, session).ok).toBe(false);
    expect(signer.verify(states[5]!, session).ok).toBe(true);
  });
});
