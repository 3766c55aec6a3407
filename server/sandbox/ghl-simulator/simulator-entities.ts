// The records the GHL simulator keeps, shaped after the schemas of apps/contacts.json, users.json and locations.json.

/** An agency (GHL "company"): owns locations, receives Company tokens. */
export interface SimCompany {
  id: string;
  name: string;
  /** Echoed by /oauth/installedLocations; set by Company installs that cover future locations. */
  installToFutureLocations: boolean;
}

/** A sub-account. `allowDuplicateContact`/`duplicatePriority` mirror Settings → "Allow Duplicate Contact". */
export interface SimLocation {
  id: string;
  companyId: string;
  name: string;
  timezone: string;
  /** ISO 3166 alpha-2; the default region for phone matching (IL for Asia/Jerusalem, else US). */
  country: string;
  address: string;
  allowDuplicateContact: boolean;
  duplicatePriority: ('email' | 'phone')[];
  active: boolean;
  installed: boolean;
  installedAt: string | undefined;
}

export interface SimUser {
  id: string;
  companyId: string;
  locationIds: string[];
  firstName: string;
  lastName: string;
  email: string;
  role: 'admin' | 'user';
}

export interface SimDndSetting {
  status: 'active' | 'inactive' | 'permanent';
  message?: string;
  code?: string;
}

export interface SimCustomField {
  id: string;
  value: unknown;
}

/** A contact as GHL stores it: phone kept as given, email kept as given (matched lower-cased). */
export interface SimContact {
  id: string;
  locationId: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  email?: string;
  phone?: string;
  companyName?: string;
  address1?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  website?: string;
  timezone?: string;
  source?: string;
  dateOfBirth?: string;
  gender?: string;
  assignedTo?: string;
  businessId?: string;
  tags: string[];
  dnd: boolean;
  dndSettings?: Record<string, SimDndSetting>;
  inboundDndSettings?: Record<string, { status: 'active' | 'inactive'; message?: string }>;
  customFields: SimCustomField[];
  type: string;
  dateAdded: string;
  dateUpdated: string;
}

export interface SimNote {
  id: string;
  contactId: string;
  body: string;
  userId?: string;
  title?: string;
  color?: string;
  pinned: boolean;
  dateAdded: string;
  dateUpdated: string;
}

export interface SimTask {
  id: string;
  contactId: string;
  title: string;
  body?: string;
  assignedTo?: string;
  dueDate: string;
  completed: boolean;
  dateAdded: string;
  dateUpdated: string;
}

/** Shape of `GetEventSchema` (apps/contacts.json), what `/contacts/:id/appointments` lists. */
export interface SimAppointment {
  id: string;
  calendarId: string;
  status: string;
  title: string;
  assignedUserId?: string;
  notes?: string;
  startTime: string;
  endTime: string;
  address?: string;
  locationId: string;
  contactId: string;
  groupId?: string;
  appointmentStatus: string;
  users: string[];
  dateAdded: string;
  dateUpdated: string;
}
