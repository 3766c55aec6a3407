import type { ResponderEvent } from '../integrations/responder/responder-event';
import { stripBidi } from '../integrations/responder/responder-text';

export interface FollowUpDecision {
  needed: boolean;
  reason?: 'inbound_reply' | 'keyword';
  /** The keyword that matched, as configured. */
  keyword?: string;
}

// Niqqud and cantillation marks: optional in written Hebrew, so "שָׁלוֹם" must match the keyword "שלום".
// The maqaf (U+05BE) and sof pasuq (U+05C3) are punctuation, not marks, and stay.
const HEBREW_MARKS = /[\u0591-\u05BD\u05BF\u05C1\u05C2\u05C4\u05C5\u05C7]/g;

/**
 * The form text and keywords are compared in: bidi marks and niqqud removed, NFC, geresh/gershayim and curly
 * quotes folded to ASCII (דוא״ל = דוא"ל), lower-cased, whitespace collapsed.
 */
export function matchableText(s: string): string {
  return stripBidi(s)
    .normalize('NFC')
    .replace(HEBREW_MARKS, '')
    .replace(/\u05F4|[\u201C\u201D]/g, '"')
    .replace(/\u05F3|[\u2018\u2019]/g, "'")
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whole-word, case-insensitive match that understands Hebrew's attached prefixes: up to three of ו ה ב כ ל מ ש
 * may precede the word, optionally with a hyphen or maqaf ("והמחיר", "ב-WhatsApp" match "מחיר", "whatsapp").
 * Word edges are Unicode letters/digits, so Hebrew and Latin text behave alike.
 */
function keywordPattern(keyword: string): RegExp | null {
  const words = matchableText(keyword).trim().split(' ').filter(Boolean);
  if (words.length === 0) return null;
  const body = words.map(escapeRegExp).join('\\s+');
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:[והבכלמש]{1,3}[-\\u05BE]?)?${body}(?![\\p{L}\\p{N}])`, 'u');
}

/** The first keyword found in `text`, or undefined. */
export function matchKeyword(text: string, keywords: readonly string[]): string | undefined {
  const haystack = matchableText(text);
  return keywords.find((k) => keywordPattern(k)?.test(haystack) ?? false);
}

/** An inbound reply: `message.replied`, or `message.received` that came in (direction inbound). */
export function isInboundReply(event: ResponderEvent): boolean {
  if (event.event === 'message.replied') return true;
  return event.event === 'message.received' && event.message?.direction === 'inbound';
}

/**
 * Whether the default rule creates a follow-up task (SPEC seed flow 1): an inbound reply, or a message whose
 * subject/text matches one of the location's keywords (any direction: "הצעת מחיר" in a sent message is a quote
 * to chase). `subscriber.*` events never need one.
 */
export function followUpDecision(event: ResponderEvent, keywords: readonly string[]): FollowUpDecision {
  if (!event.event.startsWith('message.')) return { needed: false };
  if (isInboundReply(event)) return { needed: true, reason: 'inbound_reply' };
  if (keywords.length === 0) return { needed: false };
  const text = [event.message?.subject, event.message?.text].filter(Boolean).join('\n');
  const keyword = text ? matchKeyword(text, keywords) : undefined;
  return keyword ? { needed: true, reason: 'keyword', keyword } : { needed: false };
}
