/**
 * Text helpers for Responder Live data. Hebrew values are kept byte for byte for display; only the copies used
 * for matching (keys, dedupe, search) lose their invisible bidi marks (../../../shared/reference/responder-live.md §4.2).
 */

import { RecentAnswers } from '../../recent-answers';

// LRM/RLM, the embedding/override marks, the isolates and the Arabic letter mark: invisible, but they make
// "email" and "\u200Femail" different strings. Responder's field-mapping editor lets users paste them into keys.
const BIDI_MARKS = /[\u200E\u200F\u202A-\u202E\u2066-\u2069\u061C]/g;

/** Removes invisible bidi control marks (U+200E/200F, U+202A–202E, U+2066–2069, U+061C). */
export function stripBidi(s: string): string {
  return s.replace(BIDI_MARKS, '');
}

// Every payload of a sender repeats the same few dozen keys.
const foldedKeys = new RecentAnswers<string>(2_000);

/**
 * The form of a key or label used for matching: bidi marks removed, trimmed, lower-cased, Hebrew geresh and
 * gershayim folded to ASCII quotes (דוא״ל = דוא"ל), runs of spaces/underscores/hyphens/dots collapsed to one space
 * and a trailing colon dropped ("First_Name:" → "first name").
 */
export function matchKey(s: string): string {
  return foldedKeys.get(s, () => foldKey(s));
}

function foldKey(s: string): string {
  return stripBidi(s)
    .normalize('NFC')
    .replace(/\u05F4|[\u201C\u201D]/g, '"')
    .replace(/\u05F3|[\u2018\u2019]/g, "'")
    .toLowerCase()
    .replace(/[\s_\-.]+/g, ' ')
    .replace(/\s*:\s*$/, '')
    .trim();
}

/**
 * Splits a full name on the first whitespace, the way Responder splits names on import
 * ("דוד בן-גוריון" → דוד / בן-גוריון). Hyphenated surnames stay whole; a single word is all first name.
 */
export function splitName(full: string): { first: string; last: string } {
  const trimmed = full.trim();
  const match = /^(\S+)\s+([\s\S]+)$/.exec(trimmed);
  if (!match) return { first: trimmed, last: '' };
  return { first: match[1]!, last: match[2]!.trim() };
}
