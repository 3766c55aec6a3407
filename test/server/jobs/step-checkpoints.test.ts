import { describe, expect, it } from 'vitest';
import { LeaseLostError, StepCheckpoints } from '../../../server/jobs/step-checkpoints';

/** StepCheckpoints over a recording `save`; `log` interleaves writes and step runs in the order they happened. */
function setup(stored: Record<string, unknown> = {}, answer: () => Promise<boolean> = async () => true) {
  const log: string[] = [];
  const writes: { steps: Record<string, unknown>; contactId: string | undefined }[] = [];
  const steps = new StepCheckpoints(
    stored,
    async (values, contactId) => {
      log.push(`write ${Object.keys(values).join(',')}${contactId ? ` contact=${contactId}` : ''}`);
      writes.push({ steps: values, contactId });
      return answer();
    },
    new AbortController().signal,
  );
  const step = <T>(name: string, value: T) => async () => {
    log.push(`run ${name}`);
    return value;
  };
  return { steps, log, writes, step };
}

describe('StepCheckpoints', () => {
  it('checkpoint › plain step › stored in its own write right after it ran', async () => {
    const t = setup();

    expect(await t.steps.run('note', t.step('note', 'n1'))).toBe('n1');

    expect(t.log).toEqual(['run note', 'write note']);
    expect(t.writes[0]!.steps).toEqual({ note: 'n1' });
  });

  it('checkpoint › quiet steps, then a step that writes elsewhere › one write of all of them before that step runs', async () => {
    const t = setup();

    await t.steps.run('resolve', t.step('resolve', { contactId: 'c1' }), { deferrable: () => true });
    await t.steps.run('upsert', t.step('upsert', { updated: [] }), { quiet: true });
    await t.steps.run('note:begun', t.step('note:begun', 5), { quiet: true });
    await t.steps.run('note', t.step('note', 'n1'));

    expect(t.log).toEqual(['run resolve', 'run upsert', 'run note:begun', 'write resolve,upsert,note:begun', 'run note', 'write note']);
    expect(t.writes.map((w) => w.steps)).toEqual([
      { resolve: { contactId: 'c1' }, upsert: { updated: [] }, 'note:begun': 5 },
      { note: 'n1' },
    ]);
  });

  it('checkpoint › deferrable result › waits for the final write, is returned again in the same attempt', async () => {
    const t = setup();

    await t.steps.run('note', t.step('note', 'n1'), { deferrable: true });
    const again = await t.steps.run('note', t.step('note', 'n2'), { deferrable: true });

    expect(again).toBe('n1');
    expect(t.log).toEqual(['run note']);
    expect(t.steps.takeUnsaved()).toEqual({ checkpoints: { note: 'n1' } });
    expect(t.steps.takeUnsaved()).toEqual({});
  });

  it('checkpoint › deferrable test says no › stored at once', async () => {
    const t = setup();

    await t.steps.run('tags', t.step('tags', { added: ['x'] }), { deferrable: (r) => r.added.length === 0 });

    expect(t.log).toEqual(['run tags', 'write tags']);
    expect(t.steps.takeUnsaved()).toEqual({});
  });

  it('checkpoint › stored by an earlier attempt › returned without running or writing', async () => {
    const t = setup({ note: 'n0' });

    expect(await t.steps.run('note', t.step('note', 'n1'))).toBe('n0');

    expect(t.log).toEqual([]);
  });

  it('setContactId › then a step › the contact goes with the step write', async () => {
    const t = setup();

    t.steps.setContactId('c7');
    await t.steps.run('note', t.step('note', 'n1'));

    expect(t.writes).toEqual([{ steps: { note: 'n1' }, contactId: 'c7' }]);
    expect(t.steps.takeUnsaved()).toEqual({});
  });

  it('checkpoint › lease lost on the write › LeaseLostError', async () => {
    const t = setup({}, async () => false);

    await expect(t.steps.run('note', t.step('note', 'n1'))).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('checkpoint › write fails › what waited is kept for the final write, the failed step is not', async () => {
    let fail = true;
    const t = setup({}, async () => {
      if (fail) throw new Error('database is locked');
      return true;
    });
    await t.steps.run('begun', t.step('begun', 1), { quiet: true });
    t.steps.setContactId('c1');

    await expect(t.steps.run('note', t.step('note', 'n1'))).rejects.toThrow('database is locked');
    fail = false;

    expect(t.log).toEqual(['run begun', 'write begun contact=c1']);
    expect(t.steps.takeUnsaved()).toEqual({ checkpoints: { begun: 1 }, contactId: 'c1' });
  });
});
