import { UpstreamError } from '../errors';
import type { ContactStateRepository } from '../db/repositories/contact-state-repository';
import type { MessageRepository } from '../db/repositories/message-repository';
import type { GhlClient } from '../integrations/ghl/ghl-client';
import type { GhlUser } from '../integrations/ghl/ghl-schemas';
import type { ContactSearchResult, ContactSummary } from '../../shared/contracts/contacts';
import type { MessagePage } from '../../shared/contracts/messages';
import type { UserList } from '../../shared/contracts/users';
import type { TagList } from '../../shared/contracts/tags';
import type { ContactAccess } from './contact-access';
import { toContactSummary, toLocationUser, toMessage } from './panel-mappers';

const DEFAULT_SEARCH_LIMIT = 20;

const byId = (users: GhlUser[]) => new Map(users.map((u) => [u.id, u]));

/** Reads of the panel: contact search and summary, the Responder Live history, the location's users. */
export class PanelContactsService {
  constructor(
    private readonly ghl: GhlClient,
    private readonly access: ContactAccess,
    private readonly contactStates: ContactStateRepository,
    private readonly messages: MessageRepository,
  ) {}

  /** GHL's contact search within the location (an empty query lists recent contacts). */
  async search(locationId: string, query: string, limit = DEFAULT_SEARCH_LIMIT): Promise<ContactSearchResult> {
    const [found, users] = await Promise.all([
      this.ghl.searchContacts(locationId, { query: query || undefined, page: 1, pageLimit: limit }),
      this.owners(locationId),
    ]);
    const usersById = byId(users);
    return {
      contacts: found.contacts
        // Belt and braces: the search runs with this location's token and id, but never show a foreign record.
        .filter((c) => !c.locationId || c.locationId === locationId)
        .slice(0, limit)
        .map((c) => toContactSummary(c, usersById)),
    };
  }

  /** The contact header: GHL's record, its owner's name, and the last Responder Live message we stored. */
  async summary(locationId: string, contactId: string): Promise<ContactSummary> {
    const contact = await this.access.load(locationId, contactId);
    const [users, state] = await Promise.all([
      contact.assignedTo ? this.owners(locationId) : Promise.resolve([]),
      this.contactStates.get(locationId, contactId),
    ]);
    return toContactSummary(contact, byId(users), state && { at: state.lastMessageAt, text: state.lastMessageText });
  }

  /** One page of the contact's history, newest first. */
  async messagePage(
    locationId: string,
    contactId: string,
    query: { cursor?: string; limit?: number; q?: string; channel?: string },
  ): Promise<MessagePage> {
    await this.access.assert(locationId, contactId);
    const page = await this.messages.page(locationId, contactId, query);
    return {
      messages: page.messages.map(toMessage).filter((m) => m !== undefined),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Users for owner names only: without them the owner still shows, by id, so a failed users read (scope
   * missing, GHL slow) must not fail the contact view.
   */
  private async owners(locationId: string): Promise<GhlUser[]> {
    try {
      return await this.access.listUsers(locationId);
    } catch {
      return [];
    }
  }

  /** The location's active users, sorted by name (task assignee picker). */
  async users(locationId: string): Promise<UserList> {
    const users = await this.access.listUsers(locationId);
    return {
      users: users
        .filter((u) => u.deleted !== true)
        .map(toLocationUser)
        .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
    };
  }

  /**
   * The location's known tags, sorted (tag suggestions). GHL serves them under the `locations/tags.readonly`
   * scope, which older installs may lack: suggestions are a convenience, so a refusal gives an empty list.
   */
  async locationTags(locationId: string): Promise<TagList> {
    try {
      const tags = await this.ghl.listLocationTags(locationId);
      return { tags: [...new Set(tags)].sort((a, b) => a.localeCompare(b)) };
    } catch (err) {
      if (err instanceof UpstreamError && err.kind === 'permanent') return { tags: [] };
      throw err;
    }
  }
}
