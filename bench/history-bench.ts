import type { MessageRepository } from '../server/db/repositories/message-repository';
import type { RepoHistoryReport, Timings } from './bench-protocol';
import { timeRuns } from './bench-stats';

/** A page of the panel's history, as the issue measures it. */
export const HISTORY_PAGE = 50;
/** Where the deep page starts: most of the way down a 10,000-message history. */
export const DEEP_OFFSET = 9_000;
/** A phrase in one message of ten (a page of 50 matches scans ~500 rows) and one found in five messages only. */
export const COMMON_NEEDLE = 'הצעת מחיר';
export const RARE_NEEDLE = 'zebra-quartz';

const TEXTS = [
  'שלום דנה, מצורף העדכון החודשי של הסוכנות 🙏',
  'Your order has shipped and will arrive on Thursday.',
  'תזכורת: הפגישה מחר בשעה 10:00 במשרד',
  'Thanks for joining our list! Reply STOP to unsubscribe.',
  'מבצע סוף עונה — 20% הנחה על כל החבילות',
];

/** Inserts `count` messages for one contact through the repository, oldest first (a year, a few per day). */
export async function seedHistory(
  messages: MessageRepository,
  a: { locationId: string; contactId: string; count: number; needle: string; rare: string },
): Promise<{ insertedMs: number }> {
  const start = performance.now();
  const first = Date.parse('2025-06-01T08:00:00Z');
  const rareEvery = Math.floor(a.count / 5);
  for (let i = 0; i < a.count; i++) {
    const base = TEXTS[i % TEXTS.length]!;
    const text =
      i % 10 === 3 ? `${base}\nלגבי ${a.needle} שביקשת` : i % rareEvery === 7 ? `${base} (${a.rare})` : `${base} #${i}`;
    await messages.insert(
      {
        locationId: a.locationId,
        contactId: a.contactId,
        inboxEventId: `bench-history-${a.contactId}-${i}`,
        eventType: i % 4 === 0 ? 'message.received' : 'message.sent',
        channel: i % 3 === 0 ? 'sms' : 'email',
        direction: i % 4 === 0 ? 'inbound' : 'outbound',
        subject: i % 3 === 0 ? null : `ניוזלטר ${i % 12}`,
        text,
        url: null,
        listName: 'לקוחות',
        // Pairs share a timestamp so the (occurred_at, id) tie-break is exercised.
        occurredAt: first + Math.floor(i / 2) * 3_137_000,
      },
      first,
    );
  }
  return { insertedMs: Math.round(performance.now() - start) };
}

/** p50/p95 of the repository's page query: first page, a page ~9,000 deep by cursor, and two searches. */
export async function timeRepositoryHistory(
  messages: MessageRepository,
  a: { locationId: string; contactId: string; iterations: number; needle: string; rare: string },
): Promise<RepoHistoryReport> {
  const page = (query: { cursor?: string; q?: string }) =>
    messages.page(a.locationId, a.contactId, { limit: HISTORY_PAGE, ...query });

  let cursor: string | undefined;
  let depth = 0;
  while (depth < DEEP_OFFSET) {
    const res = await page(cursor ? { cursor } : {});
    if (!res.nextCursor) break;
    cursor = res.nextCursor;
    depth += res.messages.length;
  }
  const deepCursor = cursor;

  const firstPage = await timeRuns(a.iterations, async () => (await page({})).messages.length);
  const deepPage = await timeRuns(a.iterations, async () => (await page(deepCursor ? { cursor: deepCursor } : {})).messages.length);
  const search = await timeRuns(a.iterations, async () => (await page({ q: a.needle })).messages.length);
  const searchRare = await timeRuns(a.iterations, async () => (await page({ q: a.rare })).messages.length);
  return { firstPage, deepPage: { ...deepPage, depth }, search: { ...search, q: a.needle }, searchRare: { ...searchRare, q: a.rare } };
}

export interface ApiHistoryReport {
  firstPage: Timings;
  deepPage: Timings;
  search: Timings;
  searchRare: Timings;
}

/**
 * The same four queries through `GET /api/contacts/:id/messages` over loopback HTTP (keep-alive), so the figure
 * includes auth, validation, the tenant check (cached after the first call) and JSON.
 */
export async function timeApiHistory(
  a: { appUrl: string; token: string; contactId: string; iterations: number; needle: string; rare: string },
): Promise<ApiHistoryReport> {
  const url = (params: Record<string, string>) =>
    `${a.appUrl}/api/contacts/${encodeURIComponent(a.contactId)}/messages?${new URLSearchParams({ limit: String(HISTORY_PAGE), ...params })}`;
  const get = async (params: Record<string, string>) => {
    const res = await fetch(url(params), { headers: { authorization: `Bearer ${a.token}` } });
    if (res.status !== 200) throw new Error(`history API answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { data: { messages: unknown[]; nextCursor: string | null } };
  };

  let cursor: string | undefined;
  let depth = 0;
  while (depth < DEEP_OFFSET) {
    const res = await get(cursor ? { cursor } : {});
    if (!res.data.nextCursor) break;
    cursor = res.data.nextCursor;
    depth += res.data.messages.length;
  }
  const deep: Record<string, string> = cursor ? { cursor } : {};
  return {
    firstPage: await timeRuns(a.iterations, async () => (await get({})).data.messages.length),
    deepPage: await timeRuns(a.iterations, async () => (await get(deep)).data.messages.length),
    search: await timeRuns(a.iterations, async () => (await get({ q: a.needle })).data.messages.length),
    searchRare: await timeRuns(a.iterations, async () => (await get({ q: a.rare })).data.messages.length),
  };
}
