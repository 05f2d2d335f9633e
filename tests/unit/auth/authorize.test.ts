import type { Address } from "viem";
import { describe, expect, it } from "vitest";
import { authorize, type AuthRule, type Caller } from "@/lib/auth/caller";
import {
  AppError,
  BadRequestError,
  ConfigError,
  errorResponse,
  translateError,
} from "@/lib/errors";

const A: Address = "0x00000000000000000000000000000000000000aA";
const B: Address = "0x00000000000000000000000000000000000000bB";

const operator: Caller = { kind: "operator", address: A };
const token: Caller = { kind: "operator" };
const readerA: Caller = { kind: "user", address: A };
const readerB: Caller = { kind: "user", address: B };
const anonymous: Caller = { kind: "anonymous" };

const forSender = (sender: Address): AuthRule => ({ kind: "sender", sender });

describe("authorize", () => {
  it.each<[string, Caller, AuthRule, number | null]>([
    ["operator → operator rule", operator, { kind: "operator" }, null],
    ["bearer token → operator rule", token, { kind: "operator" }, null],
    ["reader → operator rule", readerA, { kind: "operator" }, 403],
    ["anonymous → operator rule", anonymous, { kind: "operator" }, 401],
    ["operator → sender rule", operator, forSender(B), null],
    ["the sender → sender rule", readerB, forSender(B), null],
    ["the sender, other case → sender rule", readerB, forSender(B.toLowerCase() as Address), null],
    ["another reader → sender rule", readerA, forSender(B), 403],
    ["anonymous → sender rule", anonymous, forSender(B), 401],
    ["anonymous → none", anonymous, { kind: "none" }, null],
    ["reader → none", readerA, { kind: "none" }, null],
  ])("%s", (_name, caller, rule, status) => {
    if (status === null) {
      expect(() => authorize(caller, rule)).not.toThrow();
      return;
    }
    let thrown: unknown;
    try {
      authorize(caller, rule);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BadRequestError);
    expect((thrown as BadRequestError).status).toBe(status);
  });
});

describe("translateError", () => {
  it.each<[string, unknown, number, string, string]>([
    [
      "a 400 naming the field",
      new BadRequestError("slug: is taken", 409),
      409,
      "conflict",
      "slug: is taken",
    ],
    ["a 401", new BadRequestError("sign in", 401), 401, "unauthenticated", "sign in"],
    [
      "a configuration error",
      new ConfigError("set SESSION_SECRET"),
      503,
      "unavailable",
      "set SESSION_SECRET",
    ],
    ["a hidden app error", new AppError("db path /secret"), 500, "internal", "internal error"],
    ["a bug", new TypeError("x is undefined"), 500, "internal", "internal error"],
    ["a thrown string", "boom", 500, "internal", "internal error"],
  ])("%s", async (_name, err, status, code, message) => {
    const original = console.error;
    console.error = () => undefined;
    try {
      expect(translateError(err)).toMatchObject({ status, code, error: message });
      const res = errorResponse(err);
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: message, code });
    } finally {
      console.error = original;
    }
  });

  it("keeps a 409's details beside the message", async () => {
    const res = errorResponse(new BadRequestError("balance: stale", 409, { balance: "5" }));
    expect(await res.json()).toEqual({ error: "balance: stale", code: "conflict", balance: "5" });
  });
});
