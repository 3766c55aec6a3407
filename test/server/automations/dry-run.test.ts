import { describe, expect, it } from 'vitest';
import { defaultRules } from '../../../server/automations/default-rules';
import { testRule } from '../../../server/automations/dry-run';
import { SAMPLE_HEBREW_REPLY } from '../../../server/automations/sample-events';
import { AppError } from '../../../server/errors';
import { createLogger } from '../../../server/logger';
import { defaultLocationSettings } from '../../../server/sync/sync-settings';

const deps = { logger: createLogger('silent'), now: () => Date.parse('2026-06-11T13:31:00Z') };
const settings = { ...defaultLocationSettings(), defaults: { ...defaultLocationSettings().defaults, followUpKeywords: ['הצעת מחיר'] } };

describe('testRule', () => {
  it('Hebrew SMS reply sample › follow-up rule › plans one task, Hebrew kept, nothing sent', async () => {
    const rule = defaultRules().find((r) => r.id === 'seed-follow-up-task')!;
    const result = await testRule(deps, { locationId: 'loc-1', settings, rule });
    expect(result).toMatchObject({ ruleId: 'seed-follow-up-task', matched: true });
    expect(result.requests).toHaveLength(1);
    const [task] = result.requests;
    expect(task).toMatchObject({ service: 'ghl', method: 'POST', path: '/contacts/sample-contact/tasks' });
    const body = task!.body as { title: string; body: string; dueDate: string };
    expect(body.title).toContain('דנה כהן');
    expect(Buffer.from(body.body).includes(Buffer.from(SAMPLE_HEBREW_REPLY))).toBe(true);
    // Thursday 16:31 in Israel → Sunday 10:00 local.
    expect(body.dueDate).toBe('2026-06-14T07:00:00Z');
    expect(result.steps.every((s) => s.status === 'planned')).toBe(true);
  });

  it('contact update sample › flow 2 and a custom note › changes listed, requests planned', async () => {
    const rule = {
      id: 'x',
      name: 'note',
      enabled: false,
      trigger: { source: 'ghl', event: 'ContactUpdate' },
      actions: [{ type: 'add_note', body: '{{contact.firstName}}:\n{{changes}}' }, { type: 'set_dnd', channel: 'all', enabled: true }],
    };
    const result = await testRule(deps, { locationId: 'loc-1', settings, rule });
    expect(result.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /contacts/sample-contact/notes', 'PUT /contacts/sample-contact']);
    expect((result.requests[0]!.body as { body: string }).body).toContain('דנה:\nPhone: +972541234567 → +972527654321');
    expect(result.requests[1]!.body).toEqual({ dnd: true });
  });

  it('conditions not met › no plan, the reason given', async () => {
    const rule = {
      id: 'kw',
      name: 'keyword',
      enabled: true,
      trigger: { source: 'responder', event: 'message.*' },
      conditions: { mode: 'all', items: [{ type: 'text_matches_keywords', keywords: ['ביטול'] }] },
      actions: [{ type: 'add_tags', tags: ['x'] }],
    };
    expect(await testRule(deps, { locationId: 'loc-1', settings, rule })).toMatchObject({ matched: false, reason: 'conditions not met', requests: [] });
  });

  it('bad template › refused with 422 naming the field', async () => {
    const rule = { id: 'bad', name: 'bad', enabled: true, trigger: { source: 'ghl', event: 'NoteCreate' }, actions: [{ type: 'add_note', body: '{{note.bdy}}' }] };
    const err = await testRule(deps, { locationId: 'loc-1', settings, rule }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 422, code: 'validation_failed', message: 'rule.actions[0].body: unknown placeholder {{note.bdy}}' });
  });
});
