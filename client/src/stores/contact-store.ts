import { defineStore } from 'pinia';
import { ref } from 'vue';
import { panelRoutes } from '../../../shared/contracts/panel-routes';
import type { Appointment } from '../../../shared/contracts/appointments';
import type { ContactSummary } from '../../../shared/contracts/contacts';
import type { CreateNoteInput, Note } from '../../../shared/contracts/notes';
import type { CreateTaskInput, Task } from '../../../shared/contracts/tasks';
import { useApi } from '../api/api-client';
import { toUiError, type UiError } from '../api/ui-error';
import { useSessionStore } from './session-store';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** A note or task shown before the server confirmed it (optimistic write). */
export type NoteItem = Note & { pending?: boolean };
export type TaskItem = Task & { pending?: boolean };

/**
 * The open contact: summary (with tags), GHL notes, tasks and appointments. Writes are optimistic: the change shows
 * at once and is rolled back when the server refuses it; the caller gets the error to show.
 */
export const useContactStore = defineStore('contact', () => {
  const api = useApi();
  const session = useSessionStore();

  const contactId = ref<string | null>(null);
  const summary = ref<ContactSummary | null>(null);
  const summaryStatus = ref<LoadStatus>('idle');
  const summaryError = ref<UiError | null>(null);
  const notes = ref<NoteItem[]>([]);
  const notesStatus = ref<LoadStatus>('idle');
  const notesError = ref<UiError | null>(null);
  const tasks = ref<TaskItem[]>([]);
  const tasksStatus = ref<LoadStatus>('idle');
  const tasksError = ref<UiError | null>(null);
  const appointments = ref<Appointment[]>([]);
  const appointmentsStatus = ref<LoadStatus>('idle');
  const appointmentsError = ref<UiError | null>(null);

  /** Writes by idempotency key: a double click joins the first write instead of adding a second optimistic row. */
  const writes = new Map<string, Promise<unknown>>();
  function once<T>(key: string, run: () => Promise<T>): Promise<T> {
    const existing = writes.get(key);
    if (existing) return existing as Promise<T>;
    const promise = run().finally(() => writes.delete(key));
    writes.set(key, promise);
    return promise;
  }

  /** Answers for a contact the user already left are dropped. */
  const isCurrent = (id: string) => contactId.value === id;

  function open(id: string): void {
    if (contactId.value === id) return;
    contactId.value = id;
    summary.value = null;
    notes.value = [];
    tasks.value = [];
    appointments.value = [];
    summaryStatus.value = notesStatus.value = tasksStatus.value = appointmentsStatus.value = 'idle';
    summaryError.value = notesError.value = tasksError.value = appointmentsError.value = null;
  }

  function requireContact(): string {
    if (!contactId.value) throw new Error('No contact is open');
    return contactId.value;
  }

  async function loadSummary(): Promise<void> {
    const id = requireContact();
    summaryStatus.value = 'loading';
    summaryError.value = null;
    try {
      const result = await api.call(panelRoutes.getContact, { params: { contactId: id } });
      if (!isCurrent(id)) return;
      summary.value = result;
      summaryStatus.value = 'ready';
    } catch (err) {
      if (!isCurrent(id)) return;
      summaryError.value = toUiError(err);
      summaryStatus.value = 'error';
    }
  }

  async function loadNotes(): Promise<void> {
    const id = requireContact();
    notesStatus.value = 'loading';
    notesError.value = null;
    try {
      const result = await api.call(panelRoutes.listNotes, { params: { contactId: id } });
      if (!isCurrent(id)) return;
      notes.value = [...notes.value.filter((n) => n.pending), ...result.notes];
      notesStatus.value = 'ready';
    } catch (err) {
      if (!isCurrent(id)) return;
      notesError.value = toUiError(err);
      notesStatus.value = 'error';
    }
  }

  async function loadTasks(): Promise<void> {
    const id = requireContact();
    tasksStatus.value = 'loading';
    tasksError.value = null;
    try {
      const result = await api.call(panelRoutes.listTasks, { params: { contactId: id } });
      if (!isCurrent(id)) return;
      tasks.value = [...tasks.value.filter((t) => t.pending && t.id.startsWith('pending:')), ...result.tasks];
      tasksStatus.value = 'ready';
    } catch (err) {
      if (!isCurrent(id)) return;
      tasksError.value = toUiError(err);
      tasksStatus.value = 'error';
    }
  }

  async function loadAppointments(): Promise<void> {
    const id = requireContact();
    appointmentsStatus.value = 'loading';
    appointmentsError.value = null;
    try {
      const result = await api.call(panelRoutes.listAppointments, { params: { contactId: id } });
      if (!isCurrent(id)) return;
      appointments.value = result.appointments;
      appointmentsStatus.value = 'ready';
    } catch (err) {
      if (!isCurrent(id)) return;
      appointmentsError.value = toUiError(err);
      appointmentsStatus.value = 'error';
    }
  }

  /** Adds a note optimistically (shown as pending), replaced by GHL's note or removed on error. */
  function addNote(input: CreateNoteInput, idempotencyKey: string): Promise<Note> {
    return once(idempotencyKey, async () => {
      const id = requireContact();
      const tempId = `pending:${idempotencyKey}`;
      const temp: NoteItem = {
        id: tempId,
        contactId: id,
        body: input.body,
        userId: session.user?.id ?? null,
        createdAt: new Date().toISOString(),
        pending: true,
      };
      notes.value = [temp, ...notes.value];
      try {
        const note = await api.call(panelRoutes.createNote, { params: { contactId: id }, body: input, idempotencyKey });
        if (isCurrent(id)) notes.value = [note, ...notes.value.filter((n) => n.id !== tempId && n.id !== note.id)];
        return note;
      } catch (err) {
        notes.value = notes.value.filter((n) => n.id !== tempId);
        throw err;
      }
    });
  }

  /** Adds a task optimistically, replaced by GHL's task or removed on error. */
  function addTask(input: CreateTaskInput, idempotencyKey: string): Promise<Task> {
    return once(idempotencyKey, async () => {
      const id = requireContact();
      const tempId = `pending:${idempotencyKey}`;
      const temp: TaskItem = {
        id: tempId,
        contactId: id,
        title: input.title,
        body: input.body ?? null,
        dueDate: input.dueDate,
        completed: false,
        assignedTo: input.assignedTo ?? null,
        pending: true,
      };
      tasks.value = [temp, ...tasks.value];
      try {
        const task = await api.call(panelRoutes.createTask, { params: { contactId: id }, body: input, idempotencyKey });
        if (isCurrent(id)) tasks.value = [task, ...tasks.value.filter((t) => t.id !== tempId && t.id !== task.id)];
        return task;
      } catch (err) {
        tasks.value = tasks.value.filter((t) => t.id !== tempId);
        throw err;
      }
    });
  }

  /** Marks a task completed at once; restores it when GHL refuses. */
  function completeTask(taskId: string, idempotencyKey: string): Promise<Task> {
    return once(idempotencyKey, async () => {
      const id = requireContact();
      const before = tasks.value.find((t) => t.id === taskId);
      if (!before) throw new Error(`Unknown task ${taskId}`);
      const replace = (next: TaskItem) => {
        tasks.value = tasks.value.map((t) => (t.id === taskId ? next : t));
      };
      replace({ ...before, completed: true, pending: true });
      try {
        const task = await api.call(panelRoutes.completeTask, {
          params: { contactId: id, taskId },
          body: { completed: true },
          idempotencyKey,
        });
        if (isCurrent(id)) replace(task);
        return task;
      } catch (err) {
        if (isCurrent(id)) replace(before);
        throw err;
      }
    });
  }

  async function changeTags(kind: 'add' | 'remove', tags: string[], idempotencyKey: string): Promise<string[]> {
    const id = requireContact();
    const before = summary.value?.tags ?? [];
    const optimistic =
      kind === 'add' ? [...before, ...tags.filter((t) => !before.includes(t))] : before.filter((t) => !tags.includes(t));
    if (summary.value) summary.value = { ...summary.value, tags: optimistic };
    try {
      const route = kind === 'add' ? panelRoutes.addTags : panelRoutes.removeTags;
      const result = await api.call(route, { params: { contactId: id }, body: { tags }, idempotencyKey });
      if (isCurrent(id) && summary.value) summary.value = { ...summary.value, tags: result.tags };
      return result.tags;
    } catch (err) {
      if (isCurrent(id) && summary.value) summary.value = { ...summary.value, tags: before };
      throw err;
    }
  }

  /** Adds tags optimistically; the server's answer (the contact's tags after the change) wins. */
  function addTags(tags: string[], idempotencyKey: string): Promise<string[]> {
    return once(idempotencyKey, () => changeTags('add', tags, idempotencyKey));
  }

  /** Removes tags optimistically; restores them when the server refuses. */
  function removeTags(tags: string[], idempotencyKey: string): Promise<string[]> {
    return once(idempotencyKey, () => changeTags('remove', tags, idempotencyKey));
  }

  return {
    contactId,
    summary,
    summaryStatus,
    summaryError,
    notes,
    notesStatus,
    notesError,
    tasks,
    tasksStatus,
    tasksError,
    appointments,
    appointmentsStatus,
    appointmentsError,
    open,
    loadSummary,
    loadNotes,
    loadTasks,
    loadAppointments,
    addNote,
    addTask,
    completeTask,
    addTags,
    removeTags,
  };
});
