import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import NoteForm from '../../../client/src/components/NoteForm.vue';
import ContactNotesTab from '../../../client/src/components/ContactNotesTab.vue';
import { contactSummary, note, openContact } from '../support/contact-fixtures';
import { deferred, fail, installFetch, ok, primeSession, settle, testI18n } from '../support/panel-test-kit';

function mountForm() {
  const pinia = createPinia();
  setActivePinia(pinia);
  primeSession();
  const contact = openContact(contactSummary());
  contact.notesStatus = 'ready';
  const wrapper = mount(NoteForm, { global: { plugins: [pinia, testI18n()] } });
  return { wrapper, contact };
}

describe('NoteForm', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('NoteForm › blank note submitted › shows the validation message and sends nothing', async () => {
    const calls = installFetch(() => ok(note(), 201));
    const { wrapper } = mountForm();

    await wrapper.get('textarea').setValue('   \n ');
    await wrapper.get('form').trigger('submit');

    expect(wrapper.text()).toContain('Write something first.');
    expect(wrapper.get('textarea').attributes('aria-invalid')).toBe('true');
    expect(calls).toHaveLength(0);
  });

  it('NoteForm › too long › explains the 5,000 character limit', async () => {
    installFetch(() => ok(note(), 201));
    const { wrapper } = mountForm();

    await wrapper.get('textarea').setValue('א'.repeat(5001));
    await wrapper.get('form').trigger('submit');

    expect(wrapper.text()).toContain('Notes can be up to 5,000 characters (5001 now).');
  });

  it('NoteForm › submit › pending state, optimistic note, then the server note and a cleared form', async () => {
    const answer = deferred<Response>();
    const calls = installFetch(() => answer.promise);
    const { wrapper, contact } = mountForm();
    const body = 'לקוחה ביקשה הצעת מחיר\nלחזור ביום ראשון';

    await wrapper.get('textarea').setValue(body);
    await wrapper.get('form').trigger('submit');

    expect(wrapper.get('button[type="submit"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('button[type="submit"]').text()).toBe('Saving…');
    expect(contact.notes[0]).toMatchObject({ body, pending: true });

    answer.resolve(ok(note({ id: 'n-42', body }), 201));
    await settle();

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/contacts/c1/notes', body: { body } });
    expect(contact.notes.map((n) => n.id)).toEqual(['n-42']);
    expect(contact.notes[0]!.pending).toBeUndefined();
    expect((wrapper.get('textarea').element as HTMLTextAreaElement).value).toBe('');
    expect(wrapper.get('[role="status"]').text()).toBe('Note added.');
  });

  it('NoteForm › double click › one request with an idempotency key and one optimistic note', async () => {
    const answer = deferred<Response>();
    const calls = installFetch(() => answer.promise);
    const { wrapper, contact } = mountForm();
    await wrapper.get('textarea').setValue('once');

    const form = wrapper.get('form');
    await Promise.all([form.trigger('submit'), form.trigger('submit')]);
    await wrapper.get('button[type="submit"]').trigger('click');
    answer.resolve(ok(note({ id: 'n-1', body: 'once' }), 201));
    await settle();

    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(contact.notes.map((n) => n.id)).toEqual(['n-1']);
  });

  it('NoteForm › server refuses › removes the optimistic note, keeps the text and shows why', async () => {
    installFetch(() => fail(502, 'upstream_error', 'GHL said no'));
    const { wrapper, contact } = mountForm();
    contact.notes = [note({ id: 'old', body: 'existing' })];

    await wrapper.get('textarea').setValue('will fail');
    await wrapper.get('form').trigger('submit');
    await settle();

    expect(contact.notes.map((n) => n.id)).toEqual(['old']);
    expect((wrapper.get('textarea').element as HTMLTextAreaElement).value).toBe('will fail');
    expect(wrapper.get('[role="alert"]').text()).toContain('The note was not saved.');
    expect(wrapper.get('[role="alert"]').text()).toContain('did not accept the change');
  });

  it('NoteForm › retry after an error › sends the same idempotency key again', async () => {
    let n = 0;
    const calls = installFetch(() => {
      n += 1;
      return n === 1 ? fail(503, 'service_unavailable', 'down') : ok(note({ id: 'n-9', body: 'again' }), 201);
    });
    const { wrapper } = mountForm();
    await wrapper.get('textarea').setValue('again');

    await wrapper.get('form').trigger('submit');
    await settle();
    await wrapper.get('form').trigger('submit');
    await settle();

    expect(calls).toHaveLength(2);
    expect(calls[0]!.headers['idempotency-key']).toBe(calls[1]!.headers['idempotency-key']);
  });

  it('NoteForm › Ctrl+Enter in the textarea › submits', async () => {
    const calls = installFetch(() => ok(note({ body: 'quick' }), 201));
    const { wrapper } = mountForm();

    await wrapper.get('textarea').setValue('quick');
    await wrapper.get('textarea').trigger('keydown', { key: 'Enter', ctrlKey: true });
    await settle();

    expect(calls).toHaveLength(1);
  });
});

describe('ContactNotesTab', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => vi.unstubAllGlobals());

  it('ContactNotesTab › mounted › loads notes and renders each body with dir="auto"', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    primeSession();
    openContact();
    installFetch(() => ok({ notes: [note({ id: 'n1', body: 'הערה בעברית' })] }));

    const wrapper = mount(ContactNotesTab, { global: { plugins: [pinia, testI18n()] } });
    await settle();

    const body = wrapper.get('.notes__body');
    expect(body.text()).toBe('הערה בעברית');
    expect(body.attributes('dir')).toBe('auto');
  });

  it('ContactNotesTab › no notes › shows the empty state', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    primeSession();
    openContact();
    installFetch(() => ok({ notes: [] }));

    const wrapper = mount(ContactNotesTab, { global: { plugins: [pinia, testI18n()] } });
    await settle();

    expect(wrapper.text()).toContain('No notes yet');
  });
});
