/** Switchable failure modes, so clients can be tested against GHL having a bad day. */
export interface GhlFaults {
  /** 0..1 share of API calls answered 500 (not the token endpoint unless `tokenEndpoint`). */
  errorRate: number;
  /** The next N API calls get 429 regardless of budget. */
  rateLimitBurst: number;
  /** Added to every response. */
  latencyMs: number;
  /** 0..1 share of calls that never answer (until the client gives up or the server closes). */
  timeoutRate: number;
  /** Apply errorRate and timeoutRate to /oauth/token too. */
  tokenEndpoint: boolean;
  /** Injectable randomness, default Math.random. */
  random: () => number;
}

const defaults = (): GhlFaults => ({
  errorRate: 0,
  rateLimitBurst: 0,
  latencyMs: 0,
  timeoutRate: 0,
  tokenEndpoint: false,
  random: Math.random,
});

/** Holds the current faults; `random()` is only drawn when a rate is non-zero, so injected sequences stay predictable. */
export class FaultSwitch {
  private faults = defaults();

  get current(): Readonly<GhlFaults> {
    return this.faults;
  }

  set(partial: Partial<GhlFaults>): void {
    this.faults = { ...this.faults, ...partial };
  }

  reset(): void {
    this.faults = defaults();
  }

  shouldHang(tokenEndpoint: boolean): boolean {
    return this.applies(tokenEndpoint) && this.draw(this.faults.timeoutRate);
  }

  shouldFail(tokenEndpoint: boolean): boolean {
    return this.applies(tokenEndpoint) && this.draw(this.faults.errorRate);
  }

  /** Spends one call of the 429 burst, if any is left. */
  takeBurst(): boolean {
    if (this.faults.rateLimitBurst <= 0) return false;
    this.faults.rateLimitBurst -= 1;
    return true;
  }

  private applies(tokenEndpoint: boolean): boolean {
    return !tokenEndpoint || this.faults.tokenEndpoint;
  }

  private draw(rate: number): boolean {
    return rate > 0 && this.faults.random() < rate;
  }
}
