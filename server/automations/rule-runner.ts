import { triggerMatches, type Action, type AutomationRule } from '../../shared/contracts/rules';
import { skipped, type ActionEnv, type StepOutcome } from './actions/action-env';
import { runGhlAction } from './actions/ghl-actions';
import { removeResponderSubscriber, upsertResponderSubscriber } from './actions/responder-actions';
import { evaluateConditions, type ConditionFacts } from './condition-evaluator';

/** The shared part of every rule's environment (the rule's id, name and dry-run flag are added per rule). */
export type BaseEnv = Omit<ActionEnv, 'ruleId' | 'ruleName' | 'dryRun'>;

/** What happened to one rule on one event. */
export interface RuleRunRecord {
  ruleId: string;
  name: string;
  matched: boolean;
  dryRun: boolean;
  /** Why the rule did not run (conditions, own changes…). */
  reason?: string;
  steps: StepOutcome[];
}

export interface RunRulesInput {
  rules: readonly AutomationRule[];
  source: 'responder' | 'ghl';
  /** The event types this run stands for (a collapsed burst of GHL webhooks may hold several). */
  events: readonly string[];
  /** settings.dryRun: every rule plans only. */
  locationDryRun: boolean;
  /** Per rule: its facts and environment (own changes removed unless it opted in), or a reason to skip it. */
  prepare(rule: AutomationRule): { facts: ConditionFacts; env: BaseEnv } | { skip: string };
  /** `upsert_contact` for Responder events (the sync engine's resolve + changed fields). */
  upsertContact?: (env: ActionEnv, index: number) => Promise<StepOutcome>;
}

/** Runs one action (live or planned). */
export async function runAction(
  env: ActionEnv,
  action: Action,
  index: number,
  upsertContact?: RunRulesInput['upsertContact'],
): Promise<StepOutcome> {
  switch (action.type) {
    case 'upsert_contact':
      return upsertContact ? upsertContact(env, index) : skipped(env, index, action.type, 'only Responder Live events upsert a contact');
    case 'upsert_responder_subscriber':
      return upsertResponderSubscriber(env, action, index);
    case 'remove_responder_subscriber':
      return removeResponderSubscriber(env, action, index);
    default:
      return runGhlAction(env, action, index);
  }
}

/**
 * Evaluates the enabled rules whose trigger matches, in order, and runs each matching rule's actions in order.
 * Every live write is a checkpointed step (see actions/), so a retried event resumes after its last write.
 */
export async function runRules(input: RunRulesInput): Promise<RuleRunRecord[]> {
  const records: RuleRunRecord[] = [];
  for (const rule of input.rules) {
    if (!rule.enabled) continue;
    if (!input.events.some((e) => triggerMatches(rule.trigger, input.source, e))) continue;
    const dryRun = input.locationDryRun || rule.dryRun === true;
    const record: RuleRunRecord = { ruleId: rule.id, name: rule.name, matched: false, dryRun, steps: [] };
    records.push(record);
    const prepared = input.prepare(rule);
    if ('skip' in prepared) {
      record.reason = prepared.skip;
      continue;
    }
    if (!evaluateConditions(rule.conditions, prepared.facts)) {
      record.reason = 'conditions not met';
      continue;
    }
    record.matched = true;
    const env: ActionEnv = { ...prepared.env, ruleId: rule.id, ruleName: rule.name, dryRun };
    for (const [index, action] of rule.actions.entries()) {
      record.steps.push(await runAction(env, action, index, input.upsertContact));
    }
  }
  return records;
}

/** Short activity-log form: the rules that ran, with their steps' requests. */
export function summariseRuns(records: readonly RuleRunRecord[]): {
  rules: RuleRunRecord[];
  dryRun: boolean;
  planned: number;
  done: number;
} {
  const steps = records.flatMap((r) => r.steps);
  return {
    rules: [...records],
    dryRun: records.some((r) => r.dryRun && r.matched),
    planned: steps.filter((s) => s.status === 'planned').length,
    done: steps.filter((s) => s.status === 'done').length,
  };
}
