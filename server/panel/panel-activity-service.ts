import { AppError, notFound } from '../errors';
import type { InboxRepository } from '../db/repositories/inbox-repository';
import { ReplayableStatuses, type ActivityEntry, type ActivityPage, type ActivityStatus } from '../../shared/contracts/activity';
import type { InboxStatus } from '../db/schema';
import { toActivityEntry } from './panel-mappers';

const DEFAULT_ACTIVITY_PAGE = 50;

/** The location's sync log and the replay of its failed or dead events. */
export class PanelActivityService {
  constructor(
    private readonly inbox: InboxRepository,
    private readonly clock: () => number = Date.now,
  ) {}

  async list(
    locationId: string,
    query: { status?: ActivityStatus; contactId?: string; cursor?: string; limit?: number },
  ): Promise<ActivityPage> {
    // The panel's `ignored` also covers work cancelled at UNINSTALL (toActivityStatus).
    const status: InboxStatus[] | undefined =
      query.status === undefined ? undefined : query.status === 'ignored' ? ['ignored', 'cancelled'] : [query.status];
    const page = await this.inbox.listForActivity({
      locationId,
      ...(status ? { status } : {}),
      ...(query.contactId ? { contactId: query.contactId } : {}),
      ...(query.cursor ? { before: query.cursor } : {}),
      limit: query.limit ?? DEFAULT_ACTIVITY_PAGE,
    });
    return { entries: page.events.map(toActivityEntry), nextCursor: page.nextCursor };
  }

  /**
   * Sends a failed or dead event back to the queue. Another location's event is 404 like a missing one; an
   * event in any other state is 409 `conflict` (the update itself is conditional, so a race cannot replay twice).
   */
  async replay(locationId: string, id: string): Promise<ActivityEntry> {
    const event = await this.inbox.get(id);
    if (!event || event.location_id !== locationId) throw notFound('Event');
    const replayable: readonly InboxStatus[] = ReplayableStatuses;
    if (!replayable.includes(event.status) || !(await this.inbox.replay(id, locationId, this.clock()))) {
      throw new AppError(409, 'conflict', 'Only failed or dead events can be replayed');
    }
    const after = await this.inbox.get(id);
    if (!after) throw notFound('Event');
    return toActivityEntry(after);
  }
}
