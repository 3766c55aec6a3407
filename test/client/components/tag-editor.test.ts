import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import TagEditor from '../../../client/src/components/TagEditor.vue';
import { contactSummary, openContact } from '../support/contact-fixtures';
import { deferred, fail, installFetch, ok, primeSession, settle, testI18n, type RecordedCall } from '../support/panel-test-kit';

function mountEditor(handler: (call: RecordedCall) => Response | Promise<Response>, tags = ['lead']) {
  const pinia = createPinia();
  setActivePinia(pinia);
  primeSession();
  const calls = installFetch((call) =>
    call.path === '/api/tags' ? ok({ tags: ['vip', 'לקוח חם', 'lead', 'newsletter'] }) : handler(call),
  );
  const contact = openContact(contactSummary({ tags }));
  const wrapper = mount(TagEditor, { global: { plugins: [pinia, testI18n()] } });
  return { wrapper, contact, calls };
}

const shownTags = (wrapper: ReturnType<typeof mount>) => wrapper.findAll('[data-test="tag"] bdi').map((t) => t.text());

describe('TagEditor', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('TagEditor › add two tags › shows them at once, POSTs them, then shows the server list', async () => {
    const answer = deferred<Response>();
    const { wrapper, calls } = mountEditor(() => answer.promise);

    await wrapper.get('#tag-input').setValue('vip, לקוח חם');
    await wrapper.get('form').trigger('submit');

    expect(shownTags(wrapper)).toEqual(['lead', 'vip', 'לקוח חם']);
    expect(wrapper.get('button[type="submit"]').text()).toBe('Adding…');
    answer.resolve(ok({ tags: ['lead', 'vip', 'לקוח חם'] }, 201));
    await settle();

    const post = calls.find((c) => c.method === 'POST')!;
    expect(post).toMatchObject({ path: '/api/contacts/c1/tags', body: { tags: ['vip', 'לקוח חם'] } });
    expect(post.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect((wrapper.get('#tag-input').element as HTMLInputElement).value).toBe('');
  });

  it('TagEditor › add fails › the tags disappear again and the error is shown', async () => {
    const { wrapper } = mountEditor(() => fail(502, 'upstream_error', 'no'));

    await wrapper.get('#tag-input').setValue('vip');
    await wrapper.get('form').trigger('submit');
    await settle();

    expect(shownTags(wrapper)).toEqual(['lead']);
    expect(wrapper.get('[role="alert"]').text()).toContain('The tags were not added.');
    expect((wrapper.get('#tag-input').element as HTMLInputElement).value).toBe('vip');
  });

  it('TagEditor › remove › DELETEs that tag with a body and hides it', async () => {
    const { wrapper, calls } = mountEditor(() => ok({ tags: [] }), ['lead']);

    await wrapper.get('button[aria-label="Remove tag lead"]').trigger('click');
    await settle();

    expect(calls.find((c) => c.method === 'DELETE')).toMatchObject({
      path: '/api/contacts/c1/tags',
      body: { tags: ['lead'] },
    });
    expect(shownTags(wrapper)).toEqual([]);
    expect(wrapper.text()).toContain('No tags yet.');
  });

  it('TagEditor › remove fails › the tag comes back', async () => {
    const { wrapper } = mountEditor(() => fail(500, 'internal_error'), ['lead', 'vip']);

    await wrapper.get('button[aria-label="Remove tag vip"]').trigger('click');
    await settle();

    expect(shownTags(wrapper)).toEqual(['lead', 'vip']);
    expect(wrapper.get('[role="alert"]').text()).toContain('The tag was not removed.');
  });

  it('TagEditor › typing › suggests matching location tags the contact does not have; a click adds one', async () => {
    const { wrapper, calls } = mountEditor(() => ok({ tags: ['lead', 'newsletter'] }, 201));
    await settle();

    await wrapper.get('#tag-input').setValue('new');
    const suggestions = wrapper.findAll('.tags__suggestions button');
    expect(suggestions.map((b) => b.text())).toEqual(['+ newsletter']);
    await suggestions[0]!.trigger('click');
    await settle();

    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ tags: ['newsletter'] });
    expect(wrapper.findAll('datalist option').length).toBeGreaterThan(0);
  });

  it('TagEditor › more than 20 tags at once › refuses with a message', async () => {
    const { wrapper, calls } = mountEditor(() => ok({ tags: [] }, 201));

    await wrapper.get('#tag-input').setValue(Array.from({ length: 21 }, (_, i) => `t${i}`).join(','));
    await wrapper.get('form').trigger('submit');

    expect(wrapper.text()).toContain('Add up to 20 tags at a time.');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('TagEditor › double submit › one POST', async () => {
    const answer = deferred<Response>();
    const { wrapper, calls } = mountEditor(() => answer.promise);

    await wrapper.get('#tag-input').setValue('vip');
    await wrapper.get('form').trigger('submit');
    await wrapper.get('form').trigger('submit');
    answer.resolve(ok({ tags: ['lead', 'vip'] }, 201));
    await settle();

    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });
});
