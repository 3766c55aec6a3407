import { describe, expect, it } from 'vitest';
import { apiRoutes, type RouteContract } from '../../../shared/contracts/api-routes';
import { MessageQuerySchema } from '../../../shared/contracts/messages';
import { CreateNoteInputSchema } from '../../../shared/contracts/notes';
import { DefaultsSettingsSchema, UpdateSettingsInputSchema } from '../../../shared/contracts/settings';
import { TagsInputSchema } from '../../../shared/contracts/tags';
import { CreateTaskInputSchema } from '../../../shared/contracts/tasks';

const routes = Object.entries(apiRoutes) as [string, RouteContract][];

describe('apiRoutes', () => {
  it.each(routes)('apiRoutes › %s › every :param in the path is in its params schema', (_name, route) => {
    const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
    const sample = Object.fromEntries(names.map((n) => [n, 'x']));
    if (names.length === 0) {
      expect(route.params).toBeUndefined();
      return;
    }
    expect(route.params?.safeParse(sample).success).toBe(true);
    expect(route.params?.safeParse({}).success).toBe(false);
  });

  it('apiRoutes › writes of the panel › honour Idempotency-Key', () => {
    const writes = routes.filter(([, r]) => r.method !== 'GET' && r.auth !== 'none');
    const notIdempotent = writes.filter(([, r]) => !r.idempotent).map(([name]) => name);

    expect(notIdempotent).toEqual(['testResponder', 'testRule']);
  });

  it('apiRoutes › paths › all under /api and unique per method', () => {
    const keys = routes.map(([, r]) => `${r.method} ${r.path}`);

    expect(new Set(keys).size).toBe(keys.length);
    expect(routes.every(([, r]) => r.path.startsWith('/api/'))).toBe(true);
  });
});

describe('contract schemas', () => {
  it('CreateNoteInputSchema › Hebrew with surrounding spaces › kept byte for byte', () => {
    const body = '  שלום! 👋\nשורה שנייה  ';

    expect(CreateNoteInputSchema.parse({ body }).body).toBe(body);
    expect(CreateNoteInputSchema.safeParse({ body: ' \n ' }).success).toBe(false);
    expect(CreateNoteInputSchema.safeParse({ body: 'x'.repeat(5001) }).success).toBe(false);
  });

  it('TagsInputSchema › untrimmed tags › trimmed; empty or more than 20 refused', () => {
    expect(TagsInputSchema.parse({ tags: [' vip ', 'לקוח חם'] }).tags).toEqual(['vip', 'לקוח חם']);
    expect(TagsInputSchema.safeParse({ tags: ['  '] }).success).toBe(false);
    expect(TagsInputSchema.safeParse({ tags: [] }).success).toBe(false);
    expect(TagsInputSchema.safeParse({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }).success).toBe(false);
  });

  it('CreateTaskInputSchema › due date without offset or title too long › refused', () => {
    const ok = { title: 'Call', dueDate: '2030-05-02T07:00:00.000Z' };

    expect(CreateTaskInputSchema.parse(ok)).toEqual(ok);
    expect(CreateTaskInputSchema.safeParse({ ...ok, dueDate: '2030-05-02' }).success).toBe(false);
    expect(CreateTaskInputSchema.safeParse({ ...ok, title: 'x'.repeat(201) }).success).toBe(false);
  });

  it('MessageQuerySchema › query-string values › limit coerced and capped at 100', () => {
    expect(MessageQuerySchema.parse({ limit: '30', channel: 'sms' })).toEqual({ limit: 30, channel: 'sms' });
    expect(MessageQuerySchema.safeParse({ limit: '101' }).success).toBe(false);
    expect(MessageQuerySchema.safeParse({ channel: 'fax' }).success).toBe(false);
  });

  it('DefaultsSettingsSchema › empty object › IL, no keywords, tasks due at 10', () => {
    expect(DefaultsSettingsSchema.parse({})).toEqual({ country: 'IL', followUpKeywords: [], taskDueHour: 10 });
    expect(DefaultsSettingsSchema.safeParse({ taskDueHour: 24 }).success).toBe(false);
    expect(DefaultsSettingsSchema.safeParse({ country: 'il' }).success).toBe(false);
  });

  it('UpdateSettingsInputSchema › partial update › only the parts sent come back', () => {
    const input = { defaults: { taskDueHour: 9 }, dryRun: true };

    expect(UpdateSettingsInputSchema.parse(input)).toEqual(input);
    expect(UpdateSettingsInputSchema.safeParse({ defaults: { taskDueHour: 24 } }).success).toBe(false);
  });
});
