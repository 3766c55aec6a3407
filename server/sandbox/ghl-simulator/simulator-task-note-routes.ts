import { Router, type Response } from 'express';
import { accessibleContact } from './simulator-api-guard';
import type { SimContext } from './simulator-context';
import { normaliseTags } from './simulator-contact-rules';
import {
  createNoteDto,
  createTaskDto,
  tagsDto,
  taskCompletedDto,
  updateNoteDto,
  updateTaskDto,
} from './simulator-dtos';
import { notFoundIn, parseDto } from './simulator-http';
import type { SimNote, SimTask } from './simulator-entities';
import { newGhlId } from './simulator-state';

const taskView = (task: SimTask) => structuredClone(task);
const noteView = (note: SimNote) => structuredClone(note);

/** Tasks, notes, tags and appointments under /contacts/:contactId (apps/contacts.json). */
export function taskNoteRoutes(ctx: SimContext): Router {
  const router = Router();

  const taskOf = (res: Response, contactId: string, taskId: string): SimTask => {
    const contact = accessibleContact(ctx, res, contactId);
    const task = ctx.state.tasks.get(taskId);
    if (!task || task.contactId !== contact.id) throw notFoundIn('Task');
    return task;
  };
  const noteOf = (res: Response, contactId: string, noteId: string): SimNote => {
    const contact = accessibleContact(ctx, res, contactId);
    const note = ctx.state.notes.get(noteId);
    if (!note || note.contactId !== contact.id) throw notFoundIn('Note');
    return note;
  };

  router.get('/contacts/:contactId/tasks', (req, res) => {
    const contact = accessibleContact(ctx, res, req.params.contactId);
    res.json({ tasks: ctx.state.tasksOf(contact.id).map(taskView) });
  });

  router.post('/contacts/:contactId/tasks', (req, res) => {
    const contact = accessibleContact(ctx, res, req.params.contactId);
    const input = parseDto(createTaskDto, req.body);
    const now = ctx.state.nowIso();
    const task: SimTask = { id: newGhlId(), contactId: contact.id, ...input, dateAdded: now, dateUpdated: now };
    ctx.state.tasks.set(task.id, task);
    res.status(201).json({ task: taskView(task) });
  });

  router.get('/contacts/:contactId/tasks/:taskId', (req, res) => {
    res.json({ task: taskView(taskOf(res, req.params.contactId, req.params.taskId)) });
  });

  router.put('/contacts/:contactId/tasks/:taskId', (req, res) => {
    const task = taskOf(res, req.params.contactId, req.params.taskId);
    const { assignedTo, ...input } = parseDto(updateTaskDto, req.body);
    Object.assign(task, input);
    if (assignedTo === null) delete task.assignedTo;
    else if (assignedTo !== undefined) task.assignedTo = assignedTo;
    task.dateUpdated = ctx.state.nowIso();
    res.json({ task: taskView(task) });
  });

  router.put('/contacts/:contactId/tasks/:taskId/completed', (req, res) => {
    const task = taskOf(res, req.params.contactId, req.params.taskId);
    task.completed = parseDto(taskCompletedDto, req.body).completed;
    task.dateUpdated = ctx.state.nowIso();
    res.json({ task: taskView(task) });
  });

  router.delete('/contacts/:contactId/tasks/:taskId', (req, res) => {
    const task = taskOf(res, req.params.contactId, req.params.taskId);
    ctx.state.tasks.delete(task.id);
    res.json({ succeded: true });
  });

  router.get('/contacts/:contactId/notes', (req, res) => {
    const contact = accessibleContact(ctx, res, req.params.contactId);
    res.json({ notes: ctx.state.notesOf(contact.id).map(noteView) });
  });

  router.post('/contacts/:contactId/notes', (req, res) => {
    const contact = accessibleContact(ctx, res, req.params.contactId);
    const input = parseDto(createNoteDto, req.body);
    const now = ctx.state.nowIso();
    const note: SimNote = { id: newGhlId(), contactId: contact.id, pinned: false, ...input, dateAdded: now, dateUpdated: now };
    ctx.state.notes.set(note.id, note);
    res.status(201).json({ note: noteView(note) });
  });

  router.get('/contacts/:contactId/notes/:noteId', (req, res) => {
    res.json({ note: noteView(noteOf(res, req.params.contactId, req.params.noteId)) });
  });

  router.put('/contacts/:contactId/notes/:noteId', (req, res) => {
    const note = noteOf(res, req.params.contactId, req.params.noteId);
    Object.assign(note, parseDto(updateNoteDto, req.body));
    note.dateUpdated = ctx.state.nowIso();
    res.json({ note: noteView(note) });
  });

  router.delete('/contacts/:contactId/notes/:noteId', (req, res) => {
    const note = noteOf(res, req.params.contactId, req.params.noteId);
    ctx.state.notes.delete(note.id);
    res.json({ succeded: true });
  });

  // Adding a tag that is already there (in any case) changes nothing, so a retried call is harmless.
  router.post('/contacts/:contactId/tags', (req, res) => {
    const contact = accessibleContact(ctx, res, req.params.contactId);
    const { tags } = parseDto(tagsDto, req.body);
    const have = new Set(contact.tags.map((t) => t.trim().toLowerCase()));
    const added = normaliseTags(tags).filter((t) => !have.has(t));
    if (added.length > 0) {
      contact.tags = [...contact.tags, ...added];
      contact.dateUpdated = ctx.state.nowIso();
    }
    res.status(201).json({ tags: [...contact.tags] });
  });

  router.delete('/contacts/:contactId/tags', (req, res) => {
    const contact = accessibleContact(ctx, res, req.params.contactId);
    const remove = new Set(normaliseTags(parseDto(tagsDto, req.body).tags));
    const kept = contact.tags.filter((t) => !remove.has(t.trim().toLowerCase()));
    if (kept.length !== contact.tags.length) {
      contact.tags = kept;
      contact.dateUpdated = ctx.state.nowIso();
    }
    res.json({ tags: [...contact.tags] });
  });

  router.get('/contacts/:contactId/appointments', (req, res) => {
    const contact = accessibleContact(ctx, res, req.params.contactId);
    res.json({ events: ctx.state.appointmentsOf(contact.id).map((a) => structuredClone(a)) });
  });

  return router;
}
