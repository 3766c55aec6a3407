/**
 * Thrown by a handler that wants to run again at `runAt` without it counting as a failed attempt (the
 * automations engine waits for a burst of one contact's webhooks to end). Steps checkpointed so far stay.
 */
export class Reschedule extends Error {
  constructor(
    readonly runAt: number,
    reason: string,
  ) {
    super(reason);
    this.name = 'Reschedule';
  }
}
