import { panelRoutes } from './panel-routes';
import type { RouteContract } from './route-contract';
import { settingsRoutes } from './settings-routes';

export type { HttpMethod, RouteContract } from './route-contract';

/**
 * Every route of the panel API (SPEC §2), one table for the server and for contract tests. The panel imports
 * `panelRoutes` / `settingsRoutes` directly so the Settings schemas stay out of its first download.
 */
export const apiRoutes = { ...panelRoutes, ...settingsRoutes } as const satisfies Record<string, RouteContract>;

export type ApiRoutes = typeof apiRoutes;
export type ApiRouteName = keyof ApiRoutes;
