import { AxiosError, AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../../../server/errors';
import { ghlErrorMessage, toGhlError } from '../../../../server/integrations/ghl/ghl-errors';
import { isPermanentGrantFailure } from '../../../../server/integrations/ghl/ghl-oauth-client';

const config = { headers: new AxiosHeaders({ Authorization: 'Bearer secret-token-123' }) } as InternalAxiosRequestConfig;

/** An AxiosError as axios builds it for a non-2xx answer. */
function answered(status: number, data: unknown, headers: Record<string, string> = {}): AxiosError {
  const response = { status, data, headers: new AxiosHeaders(headers), config, statusText: '' } as AxiosResponse;
  return new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_RESPONSE', config, {}, response);
}

describe('toGhlError', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('classify › 401 › auth with the body kept', () => {
    const err = toGhlError(answered(401, { statusCode: 401, message: 'Invalid JWT' }), 'GET /contacts/c1');

    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.service).toBe('ghl');
    expect(err.message).toBe('GHL GET /contacts/c1 answered 401: Invalid JWT');
  });

  it('classify › 429 with X-RateLimit-Interval-Milliseconds › rate_limited waiting that interval', () => {
    const err = toGhlError(answered(429, { message: 'Too many requests' }, { 'X-RateLimit-Interval-Milliseconds': '10000' }));

    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(10_000);
  });

  it('classify › 429 with only Retry-After › waits Retry-After seconds', () => {
    const err = toGhlError(answered(429, {}, { 'Retry-After': '3' }));

    expect(err.retryAfterMs).toBe(3000);
  });

  it('classify › 429 without hints › waits 10 s', () => {
    expect(toGhlError(answered(429, '')).retryAfterMs).toBe(10_000);
  });

  it('classify › 429 with the daily budget spent › waits until the next UTC midnight', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-01T23:00:00Z'));

    const err = toGhlError(
      answered(429, {}, { 'X-RateLimit-Daily-Remaining': '0', 'X-RateLimit-Interval-Milliseconds': '10000' }),
    );

    expect(err.retryAfterMs).toBe(3_600_000);
  });

  it('classify › 422 with a message array › permanent with the messages joined', () => {
    const body = { statusCode: 422, message: ['property gender should not exist', 'email must be an email'] };

    const err = toGhlError(answered(422, body));

    expect(err.kind).toBe('permanent');
    expect(err.message).toContain('property gender should not exist; email must be an email');
    expect(err.body).toEqual(body);
  });

  it('classify › OAuth error body › permanent naming error and description', () => {
    const err = toGhlError(answered(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' }));

    expect(err.kind).toBe('permanent');
    expect(err.message).toContain('invalid_grant: Invalid refresh token');
  });

  it('classify › duplicate body with meta › permanent with the message and meta kept', () => {
    const body = { statusCode: 400, message: 'This location does not allow duplicated contacts.', meta: { contactId: 'c9' } };

    const err = toGhlError(answered(400, body));

    expect(err.message).toContain('does not allow duplicated contacts');
    expect((err.body as { meta: { contactId: string } }).meta.contactId).toBe('c9');
  });

  it('classify › 502 › transient', () => {
    expect(toGhlError(answered(502, '<html>Bad gateway</html>')).kind).toBe('transient');
  });

  it.each(['ECONNABORTED', 'ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED'])('classify › no answer (%s) › transient', (code) => {
    const err = toGhlError(new AxiosError('boom', code, config));

    expect(err.kind).toBe('transient');
    expect(err.status).toBeUndefined();
  });

  it('message › never contains the bearer token', () => {
    const err = toGhlError(answered(400, { message: 'bad header Bearer abc.def.ghi' }));
    const timeout = toGhlError(new AxiosError('timeout of 10ms exceeded', 'ECONNABORTED', config));

    expect(err.message).not.toContain('abc.def.ghi');
    expect(JSON.stringify({ ...timeout, message: timeout.message })).not.toContain('secret-token-123');
  });

  it('passthrough › an UpstreamError › returned unchanged', () => {
    const original = new UpstreamError('ghl', 'needs_reconnect', 'gone');

    expect(toGhlError(original)).toBe(original);
  });

  it('ghlErrorMessage › unknown shapes › undefined', () => {
    expect(ghlErrorMessage(null)).toBeUndefined();
    expect(ghlErrorMessage({ foo: 1 })).toBeUndefined();
  });
});

describe('isPermanentGrantFailure', () => {
  it.each([
    [{ error: 'invalid_grant', error_description: 'Invalid grant: refresh token is invalid' }, 400],
    [{ statusCode: 400, message: 'Location is not active' }, 400],
    [{ statusCode: 401, message: 'Refresh token revoked' }, 401],
  ])('grant gone › %j › true', (body, status) => {
    expect(isPermanentGrantFailure(toGhlError(answered(status, body)))).toBe(true);
  });

  it.each([
    [{ statusCode: 500, message: 'Internal server error' }, 500],
    [{ message: 'Too many requests' }, 429],
    [{ error: 'invalid_client', error_description: 'Client authentication failed' }, 401],
  ])('grant may still work › %j › false', (body, status) => {
    expect(isPermanentGrantFailure(toGhlError(answered(status, body)))).toBe(false);
  });

  it('network failure › false', () => {
    expect(isPermanentGrantFailure(toGhlError(new AxiosError('x', 'ECONNRESET', config)))).toBe(false);
  });
});
