/*
 * The rule templates' renderer: `{{contact.firstName}}`, `{{message.text}}`, `{{changes}}`… Only plain dotted
 * lookups into own properties of plain data: no expressions, no function calls, no prototype walk. A template is
 * data typed by users of the panel, so the renderer must never be a way to run code or read the process.
 */

/** `{{ name }}`: anything between double braces is one placeholder (checked by `parsePlaceholder`). */
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
/** Dotted segments of letters (Hebrew included), digits, `_` and `-` (custom field ids, personal field names). */
const PATH = /^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_ -]*[\p{L}\p{N}_-])*$/u;
/** Segments that reach the prototype chain or its constructor; refused even where the data has no such key. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor', '__defineGetter__', '__lookupGetter__']);

/** The values a template can see: nested plain objects, arrays and primitives. */
export type TemplateScope = Readonly<Record<string, unknown>>;

/** The dotted path inside `{{…}}`, or null when it is not a plain, safe lookup. */
export function parsePlaceholder(inner: string): string[] | null {
  const path = inner.trim();
  if (!PATH.test(path)) return null;
  const segments = path.split('.');
  return segments.some((s) => FORBIDDEN_SEGMENTS.has(s)) ? null : segments;
}

/** Looks a path up through own enumerable properties only; anything else (or a function) is missing. */
export function lookup(scope: TemplateScope, segments: readonly string[]): unknown {
  let current: unknown = scope;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.propertyIsEnumerable.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return typeof current === 'function' ? undefined : current;
}

/** A value as text: strings as they are (Hebrew byte for byte), lists joined with ", ", objects and missing → "". */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(formatValue).filter((v) => v !== '').join(', ');
  return '';
}

/** Renders `template` against `scope`: known placeholders become their value, unknown or unsafe ones become "". */
export function renderTemplate(template: string, scope: TemplateScope): string {
  return template.replace(PLACEHOLDER, (_match, inner: string) => {
    const segments = parsePlaceholder(inner);
    return segments ? formatValue(lookup(scope, segments)) : '';
  });
}

/** Every placeholder of a template, trimmed, in order of appearance (duplicates kept once). */
export function listPlaceholders(template: string): string[] {
  const out = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) out.add(match[1]!.trim());
  return [...out];
}

/**
 * The placeholders a rule may not use, by name, so saving a rule can say which: not a plain path, a forbidden
 * segment, or not allowed by `isAllowed` (the trigger's catalogue).
 */
export function findUnknownPlaceholders(template: string, isAllowed: (path: string) => boolean): string[] {
  return listPlaceholders(template).filter((name) => parsePlaceholder(name) === null || !isAllowed(name));
}

/** The text after a `{{` that is never closed (it would be sent literally), or null. */
export function findUnclosedPlaceholder(template: string): string | null {
  const stripped = template.replace(PLACEHOLDER, '');
  const at = stripped.indexOf('{{');
  return at < 0 ? null : stripped.slice(at, at + 30);
}
