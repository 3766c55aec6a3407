import type { ContactSummary } from '../../../shared/contracts/contacts';
import type { Note } from '../../../shared/contracts/notes';
import type { Task } from '../../../shared/contracts/tasks';
import { useContactStore } from '../../../client/src/stores/contact-store';

export function contactSummary(overrides: Partial<ContactSummary> = {}): ContactSummary {
  return {
    id: 'c1',
    firstName: 'נועה',
    lastName: 'כהן',
    name: 'נועה כהן',
    email: 'noa@example.com',
    phone: '+972501234567',
    tags: ['lead'],
    owner: { id: 'u2', name: 'Avi' },
    dnd: false,
    ...overrides,
  };
}

export function note(overrides: Partial<Note> = {}): Note {
  return { id: 'n-server', contactId: 'c1', body: 'x', userId: 'user-1', createdAt: '2024-05-01T10:00:00.000Z', ...overrides };
}

export function task(overrides: Partial<Task> = {}): Task {
  return {
    id: 't1',
    contactId: 'c1',
    title: 'Call back',
    body: null,
    dueDate: '2030-05-02T07:00:00.000Z',
    completed: false,
    assignedTo: null,
    ...overrides,
  };
}

/** Opens contact c1 in the real contact store with a loaded summary. */
export function openContact(summary: ContactSummary = contactSummary()) {
  const contact = useContactStore();
  contact.open(summary.id);
  contact.summary = summary;
  contact.summaryStatus = 'ready';
  return contact;
}
