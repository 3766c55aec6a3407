import type { ActionType } from '../../../shared/contracts/rules';
import type { AutomationRepository } from '../../db/repositories/automation-repository';
import type { ContactLinkRepository } from '../../db/repositories/contact-link-repository';
import type { ContactStateRepository } from '../../db/repositories/contact-state-repository';
import type { OwnWriteRepository } from '../../db/repositories/own-write-repository';
import type { GhlClient } from '../../integrations/ghl/ghl-client';
import type { GhlContact } from '../../integrations/ghl/ghl-schemas';
import type { ResponderClient } from '../../integrations/responder/responder-client';
import type { HandlerContext } from '../../jobs/inbox-worker';
import type { ContactDiff } from '../contact-diff';
import type { TemplateScope } from '../template-renderer';

/** One HTTP request an action sends (or, in dry run, would send), as the activity log and "Test this rule" show it. */
export interface PlannedRequest {
  service: 'ghl' | 'responder';
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the API base (`/contacts/abc/notes`); `:taskId`-style segments when only a live run knows them. */
  path: string;
  body?: unknown;
  note?: string;
}

/** What one action did, or would do. */
export interface StepOutcome {
  ruleId: string;
  action: number;
  type: ActionType;
  status: 'done' | 'planned' | 'skipped';
  requests: PlannedRequest[];
  /** Ids and values worth showing (note id, task id, tags added…). */
  detail?: Record<string, unknown>;
  reason?: string;
}

/** The Responder Live side of a location: a client for its credentials and its default lists. */
export interface ResponderPort {
  client: Pick<
    ResponderClient,
    'createSubscriber' | 'updateSubscriber' | 'updateListMembership' | 'listTags' | 'createTag' | 'searchSubscribers'
  >;
  defaultListIds: number[];
}

/** The stores actions write beside the vendors; absent in "Test this rule" (dry run only). */
export interface ActionStores {
  states: ContactStateRepository;
  ownWrites: OwnWriteRepository;
  links: ContactLinkRepository;
  /** Round-robin counters; without it round robin spreads by contact id instead of strict turns. */
  automation?: AutomationRepository | undefined;
}

/** Everything an action needs for one rule run on one event. */
export interface ActionEnv {
  locationId: string;
  /** The inbox event (or a sample id); refs and own-write records point at it. */
  inboxEventId: string;
  ruleId: string;
  ruleName: string;
  dryRun: boolean;
  ctx: Pick<HandlerContext, 'checkpoint' | 'log'>;
  ghl: GhlClient | null;
  stores: ActionStores | null;
  /** The contact the rule works on, kept current by the actions (tags, fields). Null when none is known yet. */
  contact: { id: string; snapshot: GhlContact } | null;
  /** False for sample contacts ("Test this rule"): no reads either, placeholders stand for ids. */
  contactIsReal: boolean;
  scope: TemplateScope;
  /** GHL contact events: the change (own writes removed unless the rule opted in). */
  diff?: ContactDiff | undefined;
  /** The change came from the app itself (a Responder event's writes): never sent back to Responder (one hop). */
  fromApp: boolean;
  timezone: string;
  taskDueHour: number;
  occurredAt: number;
  responder: () => Promise<ResponderPort | null>;
  now: () => number;
}

/** Step name of an action inside an event's checkpoints: stable per rule id and position. */
export function stepName(env: Pick<ActionEnv, 'ruleId'>, index: number, type: ActionType): string {
  return `rule:${env.ruleId}:${index}:${type}`;
}

/** The ref written into notes and tasks of this action, so a retry adopts instead of writing twice. */
export function actionRef(env: Pick<ActionEnv, 'inboxEventId' | 'ruleId'>, index: number): string {
  return `${env.inboxEventId}/${env.ruleId}.${index}`;
}

export const skipped = (env: ActionEnv, index: number, type: ActionType, reason: string): StepOutcome => ({
  ruleId: env.ruleId,
  action: index,
  type,
  status: 'skipped',
  requests: [],
  reason,
});
