import { describe, expect, it } from 'vitest';
import { diffContact, formatChanges, hasBaseline } from '../../../server/automations/contact-diff';
import { dropOwnChanges, isOwnRecord } from '../../../server/automations/loop-guard';
import type { OwnWrite } from '../../../server/db/repositories/own-write-repository';
import type { GhlContact } from '../../../server/integrations/ghl/ghl-schemas';

const before: GhlContact = {
  id: 'c1',
  locationId: 'loc',
  firstName: 'דנה',
  lastName: 'כהן',
  name: 'דנה כהן',
  email: 'Dana@Example.com',
  phone: '+972541234567',
  assignedTo: 'u1',
  dnd: false,
  dndSettings: { SMS: { status: 'inactive' } },
  tags: ['lead', 'VIP'],
  customFields: [{ id: 'cf1', value: 'א' }],
};
const write = (kind: OwnWrite['kind'], detail: Record<string, unknown>): OwnWrite => ({ id: 1, locationId: 'loc', contactId: 'c1', kind, detail, createdAt: 0 });

describe('contact diff', () => {
  it('diff › fields, DND, custom field and tags changed › each listed with old → new', () => {
    const after: GhlContact = {
      ...before,
      firstName: 'דנית',
      name: 'דנית כהן',
      email: 'dana@example.com',
      phone: '+972 54-123-4567',
      assignedTo: 'u2',
      dndSettings: { SMS: { status: 'active' } },
      tags: ['vip', 'customer'],
      customFields: [{ id: 'cf1', value: 'ב' }],
    };
    const d = diffContact(before, after);
    expect(d.changes.map((c) => [c.field, c.from, c.to])).toEqual([
      ['contact.firstName', 'דנה', 'דנית'],
      ['contact.assignedTo', 'u1', 'u2'],
      ['contact.dndSettings.SMS', 'inactive', 'active'],
      ['contact.customFields.cf1', 'א', 'ב'],
    ]);
    expect(d).toMatchObject({ baseline: true, tagsAdded: ['customer'], tagsRemoved: ['lead'] });
    expect(formatChanges(d)).toBe(
      'First name: דנה → דנית\nOwner: u1 → u2\nDo not disturb (SMS): inactive → active\nCustom field cf1: א → ב\nTags added: customer\nTags removed: lead',
    );
  });

  it('diff › no earlier state (id-only snapshot) › no baseline, nothing claimed', () => {
    const d = diffContact({ id: 'c1', tags: [], customFields: [] }, before);
    expect(hasBaseline({ id: 'c1', tags: [], customFields: [] })).toBe(false);
    expect(d).toEqual({ baseline: false, changes: [], tagsAdded: [], tagsRemoved: [] });
    expect(formatChanges(d)).toContain('previous values unknown');
  });

  it('loop guard › the app wrote the name and a tag › those parts dropped, the user’s change kept', () => {
    const after: GhlContact = { ...before, firstName: 'רון', city: 'חיפה', tags: ['lead', 'VIP', 'responder-live'] };
    const { diff, dropped } = dropOwnChanges(diffContact(before, after), [
      write('contact', { ref: 'e1', fields: { firstName: 'רון' } }),
      write('tags_added', { ref: 'e1', tags: ['Responder-Live'] }),
    ]);
    expect(diff.changes.map((c) => c.field)).toEqual(['contact.city']);
    expect(diff.tagsAdded).toEqual([]);
    expect(dropped).toEqual(['contact.firstName', 'tag+:responder-live']);
  });

  it('loop guard › own value differs from the webhook › the change is the user’s', () => {
    const after: GhlContact = { ...before, firstName: 'משה' };
    const { diff } = dropOwnChanges(diffContact(before, after), [write('contact', { fields: { firstName: 'רון' } })]);
    expect(diff.changes.map((c) => c.field)).toEqual(['contact.firstName']);
  });

  it('loop guard › note carrying our ref › own; another ref or none › not own', () => {
    const writes = [write('note', { ref: 'evt_1/seed.0' })];
    expect(isOwnRecord('note', 'hello\n\nref: evt_1/seed.0', writes)).toBe(true);
    expect(isOwnRecord('note', 'hello\n\nref: evt_1/seed.01', writes)).toBe(false);
    expect(isOwnRecord('note', 'hello', writes)).toBe(false);
  });
});
