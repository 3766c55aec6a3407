import type { FaultSwitch } from './simulator-faults';
import type { RateLimiter } from './simulator-rate-limit';
import type { SimulatorState } from './simulator-state';
import type { TokenStore } from './simulator-tokens';

/** Counters tests assert on (e.g. "one refresh for ten concurrent 401s"). */
export interface SimStats {
  /** Successful refresh_token grants, grace-window repeats included. */
  refreshes: number;
  /** Successful authorization_code grants. */
  tokenExchanges: number;
  /** Location tokens minted through /oauth/locationToken. */
  locationTokens: number;
  /** Calls answered 429 (budget exhausted or rateLimitBurst). */
  rateLimited: number;
}

/** Everything the simulator's route files share. */
export interface SimContext {
  state: SimulatorState;
  tokens: TokenStore;
  limiter: RateLimiter;
  faults: FaultSwitch;
  stats: SimStats;
  clientId: string;
  clientSecret: string;
  /** The client id's part before the first '-' (ghl-platform.md §6.1, SPEC §2). */
  appId: string;
  now: () => number;
}
