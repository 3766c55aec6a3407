import fc from 'fast-check';

/** One generated request: the bytes, the headers to send them with, and a label for failure reports. */
export interface FuzzBody {
  kind: string;
  body: Buffer;
  contentType: string | undefined;
  /** Extra headers (content-encoding and the like). */
  headers: Record<string, string>;
  /** Declare more bytes than are sent and cut the upload (a client that dies mid-request). */
  abort?: boolean;
}

export const DEPTH = 5000;
const TWO_MB = 2 * 1024 * 1024;

/** Built once: generating 2 MB or 5000 levels per run would spend the time budget on the generator. */
const deepArray = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
const deepObject = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH);
const deepInField = `{"email":"deep@example.com","message":${'['.repeat(DEPTH)}"שלום"${']'.repeat(DEPTH)}}`;
const hugeJson = JSON.stringify({ email: 'big@example.com', message: 'א'.repeat(TWO_MB / 2) });
const hugeForm = `email=big%40example.com&message=${'x'.repeat(TWO_MB)}`;
const hugeBinary = Buffer.alloc(TWO_MB, 0xd7);

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16le',
  'application/json; charset=bogus-8',
  'application/x-www-form-urlencoded',
  'text/plain',
  'text/plain; charset=windows-1255',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/vnd.api+json',
  '*/*',
  ';;;',
  'application/json; charset="',
];

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\t\x20-\x7e]/g, '')) },
);

const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constantFrom({ 'content-encoding': 'gzip' }, { 'content-encoding': 'deflate' }, { 'content-encoding': 'br' }, { 'content-encoding': 'x-unknown' }) },
);

/** Strings with Hebrew, bidi marks, NULs and lone surrogates mixed in. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('שלום עולם', '\u200f\u202e', '\u0000', '\ud800', '__proto__', 'constructor', '', ' ', 'null', '1e309'),
);

/** Responder- and GHL-looking objects with fields of the wrong type. */
const wronglyTyped = fc.record(
  {
    email: fc.oneof(fc.integer(), fc.array(nastyString, { maxLength: 3 }), nastyString, fc.constant(null)),
    phone: fc.oneof(fc.double(), fc.dictionary(nastyString, nastyString, { maxKeys: 3 }), nastyString),
    name: fc.oneof(fc.boolean(), fc.object({ maxDepth: 2 }), nastyString),
    message: fc.oneof(fc.array(fc.integer(), { maxLength: 5 }), nastyString),
    date: fc.oneof(nastyString, fc.integer(), fc.constant('2026-13-45 99:99')),
    event: fc.oneof(nastyString, fc.integer()),
    event_id: fc.oneof(nastyString, fc.integer(), fc.constant({})),
    type: fc.oneof(fc.constantFrom('ContactCreate', 'INSTALL', 'UNINSTALL', 'NoteCreate', 'TaskCreate', 'LocationUpdate'), nastyString, fc.integer()),
    locationId: fc.oneof(nastyString, fc.integer(), fc.array(nastyString, { maxLength: 2 })),
    companyId: fc.oneof(nastyString, fc.integer()),
    webhookId: fc.oneof(fc.uuid(), nastyString, fc.integer()),
    timestamp: fc.oneof(fc.constant('__now__'), nastyString, fc.integer(), fc.double()),
    ssoPayload: fc.oneof(nastyString, fc.integer(), fc.array(nastyString, { maxLength: 2 }), fc.constant(null)),
  },
  { requiredKeys: [] },
);

/** Replaces the `__now__` placeholder so some GHL envelopes pass the freshness check. */
export function withNow(text: string): string {
  return text.replaceAll('"__now__"', JSON.stringify(new Date().toISOString()));
}

const text = (kind: string, s: fc.Arbitrary<string>) => s.map((t) => ({ kind, text: t }));

/** Body texts and bytes of every kind the brief names, weighted so the expensive ones stay few. */
const payload: fc.Arbitrary<{ kind: string; text?: string; bytes?: Buffer }> = fc.oneof(
  { weight: 6, arbitrary: text('json', fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v))) },
  { weight: 6, arbitrary: text('wrongly-typed', wronglyTyped.map((v) => withNow(JSON.stringify(v)))) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.oneof(wronglyTyped.map((v) => withNow(JSON.stringify(v))), fc.jsonValue().map((v) => JSON.stringify(v))), fc.nat())
      .map(([t, cut]) => ({ kind: 'truncated', text: t.slice(0, t.length ? cut % t.length : 0) })),
  },
  { weight: 3, arbitrary: text('form', fc.array(fc.tuple(nastyString, nastyString), { maxLength: 6 }).map((pairs) => new URLSearchParams(pairs).toString())) },
  { weight: 3, arbitrary: text('garbage', fc.string({ unit: 'binary', maxLength: 300 })) },
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 400 }).map((b) => ({ kind: 'bytes', bytes: Buffer.from(b) })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(deepArray, deepObject, deepInField), fc.option(fc.nat(), { nil: undefined }))
      .map(([t, cut]) => ({ kind: 'deep', text: cut === undefined ? t : t.slice(0, cut % t.length) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<[string, string | Buffer]>(['huge-json', hugeJson], ['huge-form', hugeForm], ['huge-bytes', hugeBinary])
      .map(([kind, v]) => (typeof v === 'string' ? { kind, text: v } : { kind, bytes: v })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty', text: '' }) },
  {
    weight: 1,
    arbitrary: text(
      'prototype',
      fc.constantFrom(
        '{"__proto__":{"polluted":true},"email":"p@example.com"}',
        '{"constructor":{"prototype":{"polluted":true}},"type":"ContactCreate"}',
        '__proto__[polluted]=1&email=p%40example.com',
      ),
    ),
  },
);

/** Any body with any content type; a few uploads are cut off mid-way. */
export const fuzzBody: fc.Arbitrary<FuzzBody> = fc
  .record({ payload, contentType, headers: extraHeaders, abort: fc.integer({ min: 0, max: 39 }).map((n) => n === 0) })
  .map(({ payload: p, contentType: ct, headers, abort }) => ({
    kind: p.kind,
    body: p.bytes ?? Buffer.from(p.text ?? '', 'utf8'),
    contentType: ct,
    headers,
    ...(abort ? { abort: true } : {}),
  }));

/** A short, printable description of a generated request for failure messages (never the whole 2 MB). */
export function describeBody(b: FuzzBody): string {
  const head = b.body.subarray(0, 120).toString('utf8');
  return `${b.kind} (${b.body.length} bytes, content-type ${JSON.stringify(b.contentType)}, headers ${JSON.stringify(b.headers)}${b.abort ? ', aborted' : ''}): ${JSON.stringify(head)}`;
}
