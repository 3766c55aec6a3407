import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ContactTasksTab from '../../../client/src/components/ContactTasksTab.vue';
import TaskForm from '../../../client/src/components/TaskForm.vue';
import { contactSummary, openContact, task } from '../support/contact-fixtures';
import { deferred, fail, installFetch, ok, primeSession, settle, testI18n, type RecordedCall } from '../support/panel-test-kit';

const users = [
  { id: 'u1', name: 'Dana Levi', email: 'dana@example.com' },
  { id: 'u2', name: 'Avi', email: null },
];

function mountForm(handler: (call: RecordedCall) => Response | Promise<Response>) {
  const pinia = createPinia();
  setActivePinia(pinia);
  primeSession();
  const calls = installFetch((call) => (call.path === '/api/users' ? ok({ users }) : handler(call)));
  const contact = openContact(contactSummary({ owner: { id: 'u2', name: 'Avi' } }));
  contact.tasksStatus = 'ready';
  const wrapper = mount(TaskForm, { global: { plugins: [pinia, testI18n()] } });
  return { wrapper, contact, calls };
}

describe('TaskForm', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('TaskForm › assignee picker › lists the location users and defaults to the contact owner', async () => {
    const { wrapper } = mountForm(() => ok(task(), 201));
    await settle();

    const options = wrapper.findAll('#task-assignee option').map((o) => o.text());
    expect(options).toEqual(['Unassigned', 'Dana Levi', 'Avi']);
    expect((wrapper.get('#task-assignee').element as HTMLSelectElement).value).toBe('u2');
  });

  it('TaskForm › no title › shows the validation message and sends nothing', async () => {
    const { wrapper, calls } = mountForm(() => ok(task(), 201));

    await wrapper.get('form').trigger('submit');

    expect(wrapper.text()).toContain('Enter a title.');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('TaskForm › no due date › asks for one', async () => {
    const { wrapper } = mountForm(() => ok(task(), 201));

    await wrapper.get('#task-title').setValue('Call back');
    await wrapper.get('#task-due').setValue('');
    await wrapper.get('form').trigger('submit');

    expect(wrapper.text()).toContain('Pick a due date.');
  });

  it('TaskForm › valid task › sends title, body, due date in the location zone and assignee', async () => {
    const { wrapper, calls, contact } = mountForm(() => ok(task({ id: 't-new', title: 'התקשר ללקוחה' }), 201));
    await settle();

    await wrapper.get('#task-title').setValue('התקשר ללקוחה');
    await wrapper.get('#task-body').setValue('לגבי ההצעה');
    await wrapper.get('#task-due').setValue('2030-05-02T10:00');
    await wrapper.get('#task-assignee').setValue('u1');
    await wrapper.get('form').trigger('submit');
    await settle();

    const post = calls.find((c) => c.method === 'POST')!;
    // Asia/Jerusalem is UTC+3 in May: 10:00 local is 07:00Z.
    expect(post).toMatchObject({
      path: '/api/contacts/c1/tasks',
      body: { title: 'התקשר ללקוחה', body: 'לגבי ההצעה', dueDate: '2030-05-02T07:00:00.000Z', assignedTo: 'u1' },
    });
    expect(post.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(contact.tasks.map((t) => t.id)).toEqual(['t-new']);
    expect(wrapper.get('[role="status"]').text()).toBe('Task created.');
    expect((wrapper.get('#task-title').element as HTMLInputElement).value).toBe('');
  });

  it('TaskForm › double click while pending › one POST; the button is disabled meanwhile', async () => {
    const answer = deferred<Response>();
    const { wrapper, calls } = mountForm(() => answer.promise);
    await wrapper.get('#task-title').setValue('Once');

    await wrapper.get('form').trigger('submit');
    expect(wrapper.get('fieldset').attributes('disabled')).toBeDefined();
    await wrapper.get('form').trigger('submit');
    answer.resolve(ok(task({ id: 't-once' }), 201));
    await settle();

    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('TaskForm › server refuses › the optimistic task is rolled back and the error shown', async () => {
    const { wrapper, contact } = mountForm(() => fail(422, 'validation_failed', 'dueDate: bad'));
    contact.tasks = [task({ id: 'existing' })];

    await wrapper.get('#task-title').setValue('Will fail');
    await wrapper.get('form').trigger('submit');
    await settle();

    expect(contact.tasks.map((t) => t.id)).toEqual(['existing']);
    expect(wrapper.get('[role="alert"]').text()).toContain('The task was not created.');
  });
});

describe('ContactTasksTab', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('ContactTasksTab › complete a task › marks it done and PUTs completed=true once', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    primeSession();
    openContact();
    const calls = installFetch((call) => {
      if (call.path === '/api/users') return ok({ users });
      if (call.method === 'PUT') return ok(task({ completed: true }));
      return ok({ tasks: [task()] });
    });
    const wrapper = mount(ContactTasksTab, { global: { plugins: [pinia, testI18n()] } });
    await settle();

    await wrapper.get('.tasks__item button').trigger('click');
    await settle();

    const put = calls.filter((c) => c.method === 'PUT');
    expect(put).toHaveLength(1);
    expect(put[0]).toMatchObject({ path: '/api/contacts/c1/tasks/t1/completed', body: { completed: true } });
    expect(wrapper.get('.tasks__item').text()).toContain('Done');
  });

  it('ContactTasksTab › completing fails › the task is open again with the error', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    primeSession();
    const contact = openContact();
    installFetch((call) => {
      if (call.path === '/api/users') return ok({ users });
      if (call.method === 'PUT') return fail(502, 'upstream_error', 'GHL down');
      return ok({ tasks: [task()] });
    });
    const wrapper = mount(ContactTasksTab, { global: { plugins: [pinia, testI18n()] } });
    await settle();

    await wrapper.get('.tasks__item button').trigger('click');
    await settle();

    expect(contact.tasks[0]!.completed).toBe(false);
    expect(wrapper.get('.tasks__item [role="alert"]').text()).toContain('could not be marked as done');
    expect(wrapper.get('.tasks__item button').text()).toBe('Mark as done');
  });
});
