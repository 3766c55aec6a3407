import { z } from 'zod';
import type { RuleTestInput } from '../../shared/contracts/rules';
import type { LocationSettingsRepository } from '../db/repositories/location-settings-repository';
import { validationFailed } from '../errors';
import { GhlContact } from '../integrations/ghl/ghl-schemas';
import { responderEventSchema } from '../integrations/responder/responder-event';
import type { Logger } from '../logger';
import type { ResponderPort } from './actions/action-env';
import { invalidRule, testRule, type TestRuleResult, type TestRuleSample } from './dry-run';
import { validateRules } from './rule-validation';

/**
 * What the settings API needs from the automations engine: checking rules before they are saved (422 naming the
 * field, nothing saved) and "Test this rule" (a dry run on a sample event, Hebrew sample by default).
 */
export class RuleTestService {
  constructor(
    private readonly deps: {
      settings: Pick<LocationSettingsRepository, 'get'>;
      logger: Logger;
      timezoneOf?: (locationId: string) => Promise<string | null | undefined>;
      responderFor?: (locationId: string) => Promise<ResponderPort | null>;
      now?: () => number;
    },
  ) {}

  /** Throws 422 `validation_failed` (details: `[{path, message}]`, paths like `rules[2].actions[0].body`). */
  assertValid(rules: unknown): void {
    const result = validateRules(rules);
    if (!result.ok) throw invalidRule(result.errors);
  }

  /** POST /api/settings/rules/test: the plan of `rule` on `sample` (or a sample event); nothing is written. */
  async test(locationId: string, input: RuleTestInput): Promise<TestRuleResult> {
    const rule = input.rule;
    const sample = input.sample ? parseSample(input.sample) : undefined;
    const settings = await this.deps.settings.get(locationId);
    return testRule(
      {
        logger: this.deps.logger,
        ...(this.deps.responderFor ? { responderFor: this.deps.responderFor } : {}),
        ...(this.deps.now ? { now: this.deps.now } : {}),
      },
      {
        locationId,
        settings,
        timezone: (await this.deps.timezoneOf?.(locationId)) ?? null,
        rule,
        ...(sample ? { sample } : {}),
      },
    );
  }
}

const GhlSampleSchema = z.object({
  before: GhlContact.nullish(),
  after: GhlContact.optional(),
  note: z.object({ id: z.string(), body: z.string() }).optional(),
  task: z.object({ id: z.string(), title: z.string(), body: z.string(), assignedTo: z.string(), dueDate: z.string() }).optional(),
});

/** The sample of a test request, checked like the events it stands for (422 `sample.*` when it does not fit). */
function parseSample(sample: NonNullable<RuleTestInput['sample']>): TestRuleSample {
  const out: TestRuleSample = {};
  if (sample.responder !== undefined) {
    const parsed = responderEventSchema.safeParse(sample.responder);
    if (!parsed.success) throw validationFailed(`sample.responder: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    out.responder = parsed.data;
  }
  if (sample.ghl !== undefined) {
    const parsed = GhlSampleSchema.safeParse(sample.ghl);
    if (!parsed.success) throw validationFailed(`sample.ghl: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const g = parsed.data;
    out.ghl = {
      ...(g.before !== undefined ? { before: g.before } : {}),
      ...(g.after ? { after: g.after } : {}),
      ...(g.note ? { note: g.note } : {}),
      ...(g.task ? { task: g.task } : {}),
    };
  }
  return out;
}
