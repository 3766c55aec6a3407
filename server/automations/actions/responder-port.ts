import type { ResponderConnectionRepository } from '../../db/repositories/responder-connection-repository';
import type { ResponderListChoiceRepository } from '../../db/repositories/responder-list-choice-repository';
import { ResponderClient, type ResponderCredentials, type ResponderTokenCache } from '../../integrations/responder/responder-client';
import type { Logger } from '../../logger';
import type { ResponderPort } from './action-env';

/** Builds a client for one location's credentials (tests may swap it). */
export type ResponderPortClientFactory = (credentials: ResponderCredentials, tokenCache: ResponderTokenCache) => ResponderPort['client'];

/**
 * `(locationId) → ResponderPort | null`: the location's Responder Live client (credentials opened from the
 * connection row, token cached there for every process) and its default lists; null when not connected.
 */
export function responderPortFactory(deps: {
  connections: Pick<ResponderConnectionRepository, 'get' | 'tokenCache'>;
  listChoices: Pick<ResponderListChoiceRepository, 'get'>;
  responderConfig: { apiBaseUrl: string; timeoutMs: number };
  logger: Logger;
  clientFactory?: ResponderPortClientFactory;
}): (locationId: string) => Promise<ResponderPort | null> {
  const make: ResponderPortClientFactory =
    deps.clientFactory ??
    ((credentials, tokenCache) =>
      new ResponderClient({
        baseUrl: deps.responderConfig.apiBaseUrl,
        timeoutMs: deps.responderConfig.timeoutMs,
        credentials,
        logger: deps.logger,
        tokenCache,
      }));
  return async (locationId) => {
    const connection = await deps.connections.get(locationId);
    if (!connection?.credentials) return null;
    const choice = await deps.listChoices.get(locationId);
    return {
      client: make(connection.credentials, deps.connections.tokenCache(locationId)),
      defaultListIds: choice.defaultListIds,
    };
  };
}
