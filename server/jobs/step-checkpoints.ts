/** Options of `HandlerContext.checkpoint`: when the step's result may be stored later than right after it ran. */
export interface CheckpointOptions<T> {
  /**
   * The result may wait for the event's next write (the next step's, the completion's or the retry's) instead of
   * costing a write of its own: running the step again without it is safe, because it wrote nothing outside our
   * database or because it finds what it wrote (a note or task carrying its ref line). `true`, or a test of the
   * result. Until stored, a crash only means the step runs again.
   */
  deferrable?: true | ((value: T) => boolean);
  /**
   * The step writes nothing outside our database (implies `deferrable`). Any other step first stores the results
   * still waiting, so nothing it writes elsewhere rests on a result that a retry would not see.
   */
  quiet?: true;
}

/** What an attempt learnt and has not stored yet: step results and the event's contact. */
export interface UnsavedSteps {
  checkpoints?: Record<string, unknown>;
  contactId?: string;
}

/** Thrown into a handler's flow when another worker took the event over; nothing more may be written. */
export class LeaseLostError extends Error {
  constructor() {
    super('The event lease was lost to another worker');
    this.name = 'LeaseLostError';
  }
}

/**
 * The checkpoints of one attempt at one event (InboxWorker): results stored by earlier attempts are returned
 * instead of running the step again; new results are stored through `save`, which answers false once the lease
 * is lost. Deferrable results (CheckpointOptions) and the contact id wait for the next write: a known contact's
 * event used to spend a write on each of its ~5 steps and one on its contact id, and the drain bench
 * (bench/drain-bench.ts) is bound by such writes.
 */
export class StepCheckpoints {
  private readonly results: Record<string, unknown>;
  private waiting: Record<string, unknown> = {};
  private waitingContactId: string | undefined;

  constructor(
    stored: Record<string, unknown>,
    private readonly save: (steps: Record<string, unknown>, contactId: string | undefined) => Promise<boolean>,
    private readonly signal: AbortSignal,
  ) {
    this.results = { ...stored };
  }

  /** Runs `step` once per event (see HandlerContext.checkpoint). */
  async run<T>(step: string, run: () => Promise<T>, options: CheckpointOptions<T> = {}): Promise<T> {
    if (Object.hasOwn(this.results, step)) return this.results[step] as T;
    this.signal.throwIfAborted();
    const { quiet, deferrable } = options;
    // The contact id alone does not call for a write: no retry depends on it.
    if (!quiet && Object.keys(this.waiting).length > 0) await this.write({});
    const value = await run();
    if (quiet || deferrable === true || (deferrable !== undefined && deferrable(value))) {
      this.results[step] = value;
      this.waiting[step] = value;
      return value;
    }
    await this.write({ [step]: value });
    this.results[step] = value;
    return value;
  }

  /** The event's GHL contact (the activity filter), stored with the next write. */
  setContactId(contactId: string): void {
    this.waitingContactId = contactId;
  }

  /** What is not stored yet, for the attempt's final write (complete, retry or dead). */
  unsaved(): UnsavedSteps {
    const out: UnsavedSteps = {};
    if (Object.keys(this.waiting).length > 0) out.checkpoints = { ...this.waiting };
    if (this.waitingContactId !== undefined) out.contactId = this.waitingContactId;
    return out;
  }

  /** `unsaved()`, handed over: this object forgets them. */
  takeUnsaved(): UnsavedSteps {
    const out = this.unsaved();
    this.waiting = {};
    this.waitingContactId = undefined;
    return out;
  }

  /** Stores `steps` with everything unsaved, in one write. */
  private async write(steps: Record<string, unknown>): Promise<void> {
    const { checkpoints = {}, contactId } = this.takeUnsaved();
    const all = { ...checkpoints, ...steps };
    let saved: boolean;
    try {
      saved = await this.save(all, contactId);
    } catch (err) {
      // Not stored: keep them for the attempt's final write (newer values, if any, win).
      this.waiting = { ...checkpoints, ...this.waiting };
      this.waitingContactId ??= contactId;
      throw err;
    }
    if (!saved) throw new LeaseLostError();
  }
}
