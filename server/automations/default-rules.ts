import type { AutomationRule } from '../../shared/contracts/rules';

/*
 * The seed flows (SPEC §1) as the default rules of a new location: listed separately so a user can edit, reorder
 * or switch off each. Their order reproduces the sync engine's default behaviour: contact first, then the note,
 * the follow-up task and the tags.
 */

/**
 * The app's marker tag (sync-mappers RESPONDER_TAG). Written out here: sync-settings builds its defaults from this
 * file, and importing the mappers would tie the settings schema to the whole sync engine.
 */
const RESPONDER_TAG = 'responder-live';

/** Ids of the default rules (stable: activity entries and checkpoints name them). */
export const DEFAULT_RULE_IDS = {
  responderContact: 'seed-responder-contact',
  messageNote: 'seed-message-note',
  followUpTask: 'seed-follow-up-task',
  responderTags: 'seed-responder-tags',
  contactUpdateTask: 'seed-contact-update',
  ghlToResponder: 'seed-ghl-to-responder',
} as const;

/** A fresh copy of the default rules (callers may change it). */
export function defaultRules(): AutomationRule[] {
  return [
    {
      version: 1,
      id: DEFAULT_RULE_IDS.responderContact,
      name: 'Responder Live → GHL contact (flow 1)',
      enabled: true,
      trigger: { source: 'responder', event: '*' },
      conditions: { mode: 'all', items: [] },
      actions: [{ type: 'upsert_contact' }],
    },
    {
      version: 1,
      id: DEFAULT_RULE_IDS.messageNote,
      name: 'Note with the message context (flow 3)',
      enabled: true,
      trigger: { source: 'responder', event: 'message.*' },
      conditions: { mode: 'all', items: [] },
      actions: [{ type: 'add_note', body: '{{message.note}}' }],
    },
    {
      version: 1,
      id: DEFAULT_RULE_IDS.followUpTask,
      name: 'Follow-up task for replies and keywords (flow 1)',
      enabled: true,
      trigger: { source: 'responder', event: 'message.*' },
      conditions: {
        mode: 'any',
        items: [
          { type: 'field_equals', field: 'message.inboundReply', value: 'true' },
          { type: 'text_matches_keywords', keywords: [], useLocationKeywords: true },
        ],
      },
      actions: [
        {
          type: 'create_task',
          title: '{{message.followUpTitle}}',
          body: '{{message.followUpBody}}',
          dueInBusinessDays: 1,
          assignee: { type: 'contact_owner' },
        },
      ],
    },
    {
      version: 1,
      id: DEFAULT_RULE_IDS.responderTags,
      name: 'Tag contacts from Responder Live (flow 1)',
      enabled: true,
      trigger: { source: 'responder', event: '*' },
      conditions: { mode: 'all', items: [] },
      actions: [{ type: 'add_tags', tags: [RESPONDER_TAG, '{{list.name}}', 'responder:{{event.type}}'] }],
    },
    {
      version: 1,
      id: DEFAULT_RULE_IDS.contactUpdateTask,
      name: 'Contact updated in GHL → task for the owner and a note (flow 2)',
      enabled: true,
      trigger: { source: 'ghl', event: 'ContactUpdate' },
      conditions: { mode: 'all', items: [] },
      actions: [
        {
          type: 'create_task',
          title: 'Contact updated: {{contact.displayName}}',
          body: 'Changed in GHL ({{occurredAtLocal}}):\n{{changes}}',
          dueInBusinessDays: 1,
          assignee: { type: 'contact_owner' },
        },
        { type: 'add_note', body: 'Contact updated in GHL ({{occurredAtLocal}}):\n{{changes}}' },
      ],
    },
    {
      version: 1,
      id: DEFAULT_RULE_IDS.ghlToResponder,
      name: 'GHL contact → Responder Live subscriber',
      enabled: true,
      trigger: { source: 'ghl', event: 'Contact*' },
      conditions: { mode: 'all', items: [] },
      actions: [{ type: 'upsert_responder_subscriber', listIds: [], tags: [], includeContactTags: true, unsubscribeTag: 'unsubscribed' }],
    },
  ];
}
