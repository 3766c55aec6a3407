import type { RouteContract } from './route-contract';
import { RuleTestInputSchema, RuleTestResultSchema } from './rules';
import {
  RegisterWebhooksInputSchema,
  RegisterWebhooksResultSchema,
  ResponderTestInputSchema,
  ResponderTestResultSchema,
  RotateKeyInputSchema,
  SettingsSchema,
  UpdateSettingsInputSchema,
} from './settings';

/** Location settings routes (`GET` any role; changes admin only, else 403 `forbidden`). */
export const settingsRoutes = {
  getSettings: {
    method: 'GET', path: '/api/settings', auth: 'user',
    response: SettingsSchema, status: 200, idempotent: false,
  },
  updateSettings: {
    method: 'PUT', path: '/api/settings', auth: 'admin',
    body: UpdateSettingsInputSchema, response: SettingsSchema, status: 200, idempotent: true,
  },
  testResponder: {
    method: 'POST', path: '/api/settings/responder/test', auth: 'admin',
    body: ResponderTestInputSchema, response: ResponderTestResultSchema, status: 200, idempotent: false,
  },
  registerResponderWebhooks: {
    method: 'POST', path: '/api/settings/responder/register-webhooks', auth: 'admin',
    body: RegisterWebhooksInputSchema, response: RegisterWebhooksResultSchema, status: 200, idempotent: true,
  },
  rotateResponderKey: {
    method: 'POST', path: '/api/settings/responder/rotate-key', auth: 'admin',
    body: RotateKeyInputSchema, response: SettingsSchema, status: 200, idempotent: true,
  },
  /** "Test this rule": a dry run of the rule on a sample event (Hebrew by default); writes nothing (rules.ts). */
  testRule: {
    method: 'POST', path: '/api/settings/rules/test', auth: 'admin',
    body: RuleTestInputSchema, response: RuleTestResultSchema, status: 200, idempotent: false,
  },
} as const satisfies Record<string, RouteContract>;
