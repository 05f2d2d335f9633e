/**
 * Throwaway anvil chains for integration tests: the same launcher the demo runner uses, with a
 * free port and automine by default.
 */
export {
  getFreePort,
  startAnvil,
  type AnvilOptions,
  type AnvilProcess as AnvilInstance,
} from "../../scripts/lib/anvil";
