/**
 * Test servers own their port: the browser tests refuse at once an explicit E2E_PORT that another
 * server holds, instead of running against whatever answers there.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, expect, it } from "vitest";
import { getFreePort } from "../helpers/anvil";
import {
  assertPortFree,
  explicitPort,
  PortInUseError,
  startNextServer,
} from "../helpers/next-server";
import globalSetup from "../e2e/global-setup";

let foreign: Server;
let port: number;
const saved = process.env.E2E_PORT;

beforeEach(async () => {
  // Some other site that answers every request with 200.
  foreign = createServer((_req, res) => res.end("not the site under test"));
  await new Promise<void>((r) => foreign.listen(0, "0.0.0.0", r));
  port = (foreign.address() as AddressInfo).port;
});
afterEach(() => {
  foreign.close();
  if (saved === undefined) delete process.env.E2E_PORT;
  else process.env.E2E_PORT = saved;
});

it("the browser tests' global setup fails at once, naming E2E_PORT, when the port is taken", async () => {
  process.env.E2E_PORT = String(port);
  const started = Date.now();
  const err = await globalSetup().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PortInUseError);
  expect((err as Error).message).toContain(`port ${port} (E2E_PORT) is already in use`);
  // Before anything slow (anvil, deployment, next start) was started.
  expect(Date.now() - started).toBeLessThan(2000);
});

it("startNextServer refuses a taken port before spawning anything", async () => {
  const err = await startNextServer({ port, env: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PortInUseError);
});

it("assertPortFree tells a free port from a taken one", async () => {
  await expect(assertPortFree(port)).rejects.toThrow(PortInUseError);
  await expect(assertPortFree(await getFreePort())).resolves.toBeUndefined();
});

it("explicitPort reads a valid port and rejects anything else", () => {
  process.env.E2E_PORT = "";
  expect(explicitPort("E2E_PORT")).toBeUndefined();
  process.env.E2E_PORT = " 3100 ";
  expect(explicitPort("E2E_PORT")).toBe(3100);
  for (const bad of ["abc", "0", "65536", "31.5"]) {
    process.env.E2E_PORT = bad;
    expect(() => explicitPort("E2E_PORT")).toThrow(/E2E_PORT must be a TCP port/);
  }
});
