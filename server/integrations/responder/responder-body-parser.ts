export type ParseBodyResult = { ok: true; body: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * Parses a Responder Live webhook body from its raw bytes. Responder's "send type" setting posts JSON or
 * form-urlencoded (responder-live.md §1.3.3); automation tools also post JSON as text/plain. Form bodies are UTF-8
 * (Hebrew keys and values, `+` as space); a repeated form key becomes an array. Empty or unreadable bodies are errors.
 */
export function parseResponderBody(raw: Buffer, contentType: string | undefined): ParseBodyResult {
  const { mediaType, charset } = parseContentType(contentType);
  const decoded = decode(raw, charset);
  if (!decoded.ok) return decoded;
  // A BOM is common in bodies pasted from Windows tools.
  const text = decoded.text.replace(/^\uFEFF/, '');
  if (text.trim() === '') return fail('empty_body', 'The request body is empty');

  if (mediaType.endsWith('json') || mediaType.endsWith('+json')) return parseJson(text);
  if (mediaType === 'application/x-www-form-urlencoded') return parseForm(text);
  // text/plain (automation tools post JSON that way) or no content type at all: sniff.
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJson(text);
  if (mediaType === '' && /^[^\s=&{}[\]"]+=/.test(trimmed) && !/[\r\n]/.test(trimmed)) return parseForm(trimmed);
  return fail('unsupported_body', `Cannot read a ${mediaType || 'body without a content type'}: send JSON or form fields`);
}

function parseContentType(contentType: string | undefined): { mediaType: string; charset: string | undefined } {
  if (!contentType) return { mediaType: '', charset: undefined };
  const [type, ...params] = contentType.split(';');
  const charsetParam = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('charset='));
  const charset = charsetParam?.slice('charset='.length).replace(/^"|"$/g, '').trim().toLowerCase();
  return { mediaType: (type ?? '').trim().toLowerCase(), charset: charset || undefined };
}

function decode(raw: Buffer, charset: string | undefined): { ok: true; text: string } | { ok: false; error: { code: string; message: string } } {
  const label = !charset || charset === 'utf8' ? 'utf-8' : charset;
  try {
    // Fatal: a body that is not valid in its declared charset is refused rather than stored with U+FFFD in Hebrew text.
    return { ok: true, text: new TextDecoder(label, { fatal: true }).decode(raw) };
  } catch (err) {
    if (err instanceof RangeError) return fail('unsupported_charset', `Unsupported charset ${charset ?? ''}`.trim());
    return fail('invalid_encoding', `The body is not valid ${label}`);
  }
}

// NUL is never meaningful in a Responder field, and PostgreSQL text cannot hold it: it is dropped on the way in.
const NUL = '\u0000';

/** JSON.parse calls this bottom-up, so each object is rebuilt at most once, without recursion of our own. */
function withoutNul(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll(NUL, '');
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => k.includes(NUL))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll(NUL, ''), v]));
  }
  return value;
}

function parseJson(text: string): ParseBodyResult {
  try {
    // JSON can only carry NUL escaped; without one, the (several times slower) reviver has nothing to do.
    return { ok: true, body: JSON.parse(text, text.includes('\\u0000') ? withoutNul : undefined) as unknown };
  } catch (err) {
    return fail('invalid_json', `The body is not valid JSON: ${err instanceof Error ? err.message : 'parse error'}`);
  }
}

function parseForm(text: string): ParseBodyResult {
  const fields = new Map<string, string | string[]>();
  for (const [rawKey, rawValue] of new URLSearchParams(text.trim())) {
    const key = rawKey.replaceAll(NUL, '');
    const value = rawValue.replaceAll(NUL, '');
    const existing = fields.get(key);
    fields.set(key, existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value]);
  }
  if (fields.size === 0) return fail('empty_body', 'The form body has no fields');
  // fromEntries defines own properties, so a `__proto__` field stays a field.
  return { ok: true, body: Object.fromEntries(fields) };
}

function fail(code: string, message: string): { ok: false; error: { code: string; message: string } } {
  return { ok: false, error: { code, message } };
}
