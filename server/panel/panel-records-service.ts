import { notFound, UpstreamError } from '../errors';
import type { Logger } from '../logger';
import type { OwnWriteKind, OwnWriteRepository } from '../db/repositories/own-write-repository';
import type { GhlClient } from '../integrations/ghl/ghl-client';
import type { AppointmentList } from '../../shared/contracts/appointments';
import type { CreateNoteInput, Note, NoteList } from '../../shared/contracts/notes';
import type { TagList } from '../../shared/contracts/tags';
import type { CreateTaskInput, Task, TaskList } from '../../shared/contracts/tasks';
import type { PanelSession } from '../http/panel-auth';
import type { ContactAccess } from './contact-access';
import { sortTasks, toAppointment, toNote, toTask } from './panel-mappers';

/**
 * A contact's GHL notes, tasks, tags and appointments as the panel reads and writes them. Each method first
 * proves the contact is the session's (ContactAccess); writes reach GHL before the answer and are recorded in
 * own_writes with `source: 'panel'`.
 */
export class PanelRecordsService {
  constructor(
    private readonly ghl: GhlClient,
    private readonly access: ContactAccess,
    private readonly ownWrites: OwnWriteRepository,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  async listNotes(locationId: string, contactId: string): Promise<NoteList> {
    await this.access.assert(locationId, contactId);
    const now = this.clock();
    const notes = (await this.guard(locationId, contactId, this.ghl.listNotes(locationId, contactId))).map((n) =>
      toNote(n, contactId, now),
    );
    return { notes: notes.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)) };
  }

  /** Creates the note with the panel user as its author. */
  async createNote(session: PanelSession, contactId: string, input: CreateNoteInput): Promise<Note> {
    const { locationId, userId } = session;
    await this.access.assert(locationId, contactId);
    const note = await this.guard(locationId, contactId, this.ghl.createNote(locationId, contactId, { body: input.body, userId }));
    await this.recordWrite(session, contactId, 'note', { noteId: note.id });
    return toNote(note, contactId, this.clock());
  }

  async listTasks(locationId: string, contactId: string): Promise<TaskList> {
    await this.access.assert(locationId, contactId);
    const now = this.clock();
    const tasks = await this.guard(locationId, contactId, this.ghl.listTasks(locationId, contactId));
    return { tasks: sortTasks(tasks.map((t) => toTask(t, contactId, now))) };
  }

  /** Creates an open task (GHL requires `completed`); `assignedTo` makes GHL notify that user. */
  async createTask(session: PanelSession, contactId: string, input: CreateTaskInput): Promise<Task> {
    const { locationId } = session;
    await this.access.assert(locationId, contactId);
    const task = await this.guard(
      locationId,
      contactId,
      this.ghl.createTask(locationId, contactId, {
        title: input.title,
        body: input.body,
        dueDate: new Date(input.dueDate).toISOString(),
        completed: false,
        assignedTo: input.assignedTo,
      }),
    );
    await this.recordWrite(session, contactId, 'task', { taskId: task.id, action: 'create' });
    return toTask(task, contactId, this.clock());
  }

  /** Marks a task of the contact completed (or open again). GHL 404s a task id under another contact. */
  async setTaskCompleted(session: PanelSession, contactId: string, taskId: string, completed: boolean): Promise<Task> {
    const { locationId } = session;
    await this.access.assert(locationId, contactId);
    let task;
    try {
      task = await this.ghl.completeTask(locationId, contactId, taskId, completed);
    } catch (err) {
      // GHL answers a write to an unknown id with 400 "Task not found" (the client keeps writes' 400s as is).
      if (err instanceof UpstreamError && err.kind === 'permanent' && /not\s*found/i.test(err.message)) throw notFound('Task');
      throw err;
    }
    // GHL's answer carries the task's contact; one that differs means the id was not this contact's task.
    if (task.contactId && task.contactId !== contactId) {
      throw new UpstreamError('ghl', 'permanent', 'Task not found under this contact', { status: 404 });
    }
    await this.recordWrite(session, contactId, 'task', { taskId, action: completed ? 'complete' : 'reopen' });
    return toTask({ ...task, completed: task.completed ?? completed }, contactId, this.clock());
  }

  async addTags(session: PanelSession, contactId: string, tags: string[]): Promise<TagList> {
    const { locationId } = session;
    await this.access.assert(locationId, contactId);
    const after = await this.guard(locationId, contactId, this.ghl.addTags(locationId, contactId, tags));
    await this.recordWrite(session, contactId, 'tags_added', { tags });
    return { tags: after };
  }

  async removeTags(session: PanelSession, contactId: string, tags: string[]): Promise<TagList> {
    const { locationId } = session;
    await this.access.assert(locationId, contactId);
    const after = await this.guard(locationId, contactId, this.ghl.removeTags(locationId, contactId, tags));
    await this.recordWrite(session, contactId, 'tags_removed', { tags });
    return { tags: after };
  }

  /** By start time ascending; entries GHL sends without a readable start time are left out. */
  async listAppointments(locationId: string, contactId: string): Promise<AppointmentList> {
    await this.access.assert(locationId, contactId);
    const events = await this.guard(locationId, contactId, this.ghl.listAppointments(locationId, contactId));
    const appointments = events.map(toAppointment).filter((a) => a !== undefined);
    return { appointments: appointments.sort((a, b) => a.startTime.localeCompare(b.startTime) || a.id.localeCompare(b.id)) };
  }

  /** A 404 under a contact we verified moments ago means it was deleted meanwhile: forget the verification. */
  private async guard<T>(locationId: string, contactId: string, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) this.access.forget(locationId, contactId);
      throw err;
    }
  }

  /**
   * Panel writes are a user's own actions, so unlike the sync engine's writes they may well fire the location's
   * GHL-side rules; the `source: 'panel'` marker lets the automations engine tell them apart. The write already
   * reached GHL, so a failure to record it is logged, not answered as an error (a retry would write twice).
   */
  private async recordWrite(
    session: PanelSession,
    contactId: string,
    kind: OwnWriteKind,
    detail: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.ownWrites.record(session.locationId, contactId, kind, { ...detail, source: 'panel', userId: session.userId }, this.clock());
    } catch (err) {
      this.logger.warn({ err, locationId: session.locationId, contactId, kind }, 'could not record a panel write');
    }
  }
}
