import { randomBytes } from 'node:crypto';
import type {
  SimAppointment,
  SimCompany,
  SimContact,
  SimLocation,
  SimNote,
  SimTask,
  SimUser,
} from './simulator-entities';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 20-character alphanumeric id, the shape GHL uses for locations, contacts, notes and tasks. */
export function newGhlId(): string {
  const bytes = randomBytes(20);
  let id = '';
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

/** The simulator's in-memory world: companies, locations, users and the contact records hanging off them. */
export class SimulatorState {
  readonly companies = new Map<string, SimCompany>();
  readonly locations = new Map<string, SimLocation>();
  readonly users = new Map<string, SimUser>();
  readonly contacts = new Map<string, SimContact>();
  readonly notes = new Map<string, SimNote>();
  readonly tasks = new Map<string, SimTask>();
  readonly appointments = new Map<string, SimAppointment>();

  constructor(readonly now: () => number) {}

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  addCompany(input: { id?: string; name?: string; installToFutureLocations?: boolean } = {}): SimCompany {
    const id = input.id ?? newGhlId();
    const company: SimCompany = {
      id,
      name: input.name ?? `Agency ${id.slice(0, 6)}`,
      installToFutureLocations: input.installToFutureLocations ?? false,
    };
    this.companies.set(id, company);
    return company;
  }

  addLocation(input: {
    id?: string;
    companyId?: string;
    name?: string;
    timezone?: string;
    country?: string;
    address?: string;
    allowDuplicateContact?: boolean;
    duplicatePriority?: ('email' | 'phone')[];
  } = {}): SimLocation {
    const companyId = this.companyFor(input.companyId);
    const id = input.id ?? newGhlId();
    const timezone = input.timezone ?? 'Asia/Jerusalem';
    const location: SimLocation = {
      id,
      companyId,
      name: input.name ?? `Location ${id.slice(0, 6)}`,
      timezone,
      country: input.country ?? (timezone === 'Asia/Jerusalem' ? 'IL' : 'US'),
      address: input.address ?? '',
      allowDuplicateContact: input.allowDuplicateContact ?? false,
      duplicatePriority: input.duplicatePriority ?? ['email', 'phone'],
      active: true,
      installed: false,
      installedAt: undefined,
    };
    this.locations.set(id, location);
    return location;
  }

  addUser(
    locationId: string,
    input: { id?: string; firstName?: string; lastName?: string; email?: string; role?: 'admin' | 'user' } = {},
  ): SimUser {
    const location = this.requireLocation(locationId);
    const existing = input.id === undefined ? undefined : this.users.get(input.id);
    if (existing) {
      if (!existing.locationIds.includes(locationId)) existing.locationIds.push(locationId);
      return existing;
    }
    const id = input.id ?? newGhlId();
    const user: SimUser = {
      id,
      companyId: location.companyId,
      locationIds: [locationId],
      firstName: input.firstName ?? 'Sandbox',
      lastName: input.lastName ?? `User ${id.slice(0, 4)}`,
      email: input.email ?? `user-${id.slice(0, 6).toLowerCase()}@example.com`,
      role: input.role ?? 'admin',
    };
    this.users.set(id, user);
    return user;
  }

  /** Seeds a contact as-is (no duplicate rules, no normalisation): what a test arranges directly. */
  addContact(locationId: string, input: Partial<SimContact>): SimContact {
    this.requireLocation(locationId);
    const now = this.nowIso();
    const contact: SimContact = {
      ...input,
      id: input.id ?? newGhlId(),
      locationId,
      tags: input.tags ? [...input.tags] : [],
      dnd: input.dnd ?? false,
      customFields: input.customFields ? input.customFields.map((f) => ({ ...f })) : [],
      type: input.type ?? 'lead',
      dateAdded: input.dateAdded ?? now,
      dateUpdated: input.dateUpdated ?? input.dateAdded ?? now,
    };
    if (contact.name === undefined && (contact.firstName || contact.lastName))
      contact.name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
    this.contacts.set(contact.id, contact);
    return contact;
  }

  addAppointment(locationId: string, contactId: string, input: Partial<SimAppointment> = {}): SimAppointment {
    this.requireLocation(locationId);
    const contact = this.contacts.get(contactId);
    if (!contact || contact.locationId !== locationId)
      throw new Error(`GHL simulator: contact ${contactId} is not in location ${locationId}`);
    const now = this.nowIso();
    const start = input.startTime ?? new Date(this.now() + 86_400_000).toISOString();
    const appointment: SimAppointment = {
      ...input,
      id: input.id ?? newGhlId(),
      calendarId: input.calendarId ?? 'sandbox-calendar',
      status: input.status ?? 'booked',
      title: input.title ?? 'Appointment',
      startTime: start,
      endTime: input.endTime ?? new Date(Date.parse(start) + 30 * 60_000).toISOString(),
      locationId,
      contactId,
      appointmentStatus: input.appointmentStatus ?? input.status ?? 'booked',
      users: input.users ? [...input.users] : [],
      dateAdded: input.dateAdded ?? now,
      dateUpdated: input.dateUpdated ?? now,
    };
    this.appointments.set(appointment.id, appointment);
    return appointment;
  }

  requireLocation(locationId: string): SimLocation {
    const location = this.locations.get(locationId);
    if (!location) throw new Error(`GHL simulator: unknown location ${locationId}`);
    return location;
  }

  requireCompany(companyId: string): SimCompany {
    const company = this.companies.get(companyId);
    if (!company) throw new Error(`GHL simulator: unknown company ${companyId}`);
    return company;
  }

  contactsOf(locationId: string): SimContact[] {
    return [...this.contacts.values()].filter((c) => c.locationId === locationId);
  }

  notesOf(contactId: string): SimNote[] {
    return [...this.notes.values()].filter((n) => n.contactId === contactId);
  }

  tasksOf(contactId: string): SimTask[] {
    return [...this.tasks.values()].filter((t) => t.contactId === contactId);
  }

  appointmentsOf(contactId: string): SimAppointment[] {
    return [...this.appointments.values()].filter((a) => a.contactId === contactId);
  }

  usersOf(locationId: string): SimUser[] {
    return [...this.users.values()].filter((u) => u.locationIds.includes(locationId));
  }

  locationsOf(companyId: string): SimLocation[] {
    return [...this.locations.values()].filter((l) => l.companyId === companyId);
  }

  installApp(locationId: string): void {
    const location = this.requireLocation(locationId);
    if (location.installed) return;
    location.installed = true;
    location.installedAt = this.nowIso();
  }

  /** Deleting a contact takes its notes, tasks and appointments with it, as in GHL. */
  deleteContact(contactId: string): void {
    this.contacts.delete(contactId);
    for (const map of [this.notes, this.tasks, this.appointments])
      for (const [id, item] of map) if (item.contactId === contactId) map.delete(id);
  }

  private companyFor(companyId: string | undefined): string {
    if (companyId !== undefined) {
      if (!this.companies.has(companyId)) this.addCompany({ id: companyId });
      return companyId;
    }
    const first = this.companies.values().next();
    return first.done ? this.addCompany().id : first.value.id;
  }
}
