export type { ReadinessChecks } from './health-routes.ts';
export {
  createRouteTable,
  DEFAULT_SLOTS,
  type GatewayRequest,
  RESERVED_PATHS,
  type RouteHandler,
  type RouteMatch,
  type RouteTable,
} from './route-table.ts';
export { createGateway, type Gateway, type GatewayOptions } from './server.ts';
