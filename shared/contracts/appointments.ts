import * as z from 'zod/mini';
import { IdSchema, IsoDateTimeSchema } from './common';

/**
 * GHL appointment statuses. Values GHL adds later are passed through as they come, so the type stays a string;
 * the panel translates the known ones.
 */
export const KnownAppointmentStatuses = ['new', 'confirmed', 'cancelled', 'showed', 'noshow', 'invalid'] as const;

/** A contact's appointment (GHL calendar event). */
export const AppointmentSchema = z.object({
  id: IdSchema,
  title: z.string(),
  status: z.string(),
  startTime: IsoDateTimeSchema,
  endTime: z.nullable(IsoDateTimeSchema),
  calendarId: z.nullable(IdSchema),
  /** Meeting address or link, when set. */
  address: z.nullable(z.string()),
});
export type Appointment = z.infer<typeof AppointmentSchema>;

/** `GET /api/contacts/:contactId/appointments` → `{data: AppointmentList}`, by start time ascending. */
export const AppointmentListSchema = z.object({ appointments: z.array(AppointmentSchema) });
export type AppointmentList = z.infer<typeof AppointmentListSchema>;
