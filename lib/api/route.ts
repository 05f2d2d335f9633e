/**
 * The one wrapper of `/api/1` and admin route handlers: authentication (operator | sender | none),
 * the same-origin check of state-changing calls, zod-parsed path params, query and body, and the
 * one error translator (`lib/errors.ts`). Bodies are read up to 64 KiB (`body.ts`, 413 past it).
 * A handler receives parsed, typed input and returns a Response or a JSON-serialisable value.
 *
 * @example
 * // GET /api/1/channels/:sender
 * export const GET = apiRoute(
 *   { auth: "sender", params: senderParamsSchema },
 *   ({ params }) => listSenderChannels(params.sender),
 * );
 */
import type { Address } from "viem";
import { z } from "zod";
import { authorize, getCaller, type Caller } from "@/lib/auth/caller";
import { assertSameOrigin } from "@/lib/auth/origin";
import { errorResponse } from "@/lib/errors";
import { readBodyText } from "./body";
import { parseInput, parseJsonBody } from "./params";

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<P extends Schema, Q extends Schema, B extends Schema> {
  /**
   * Who may call: `operator` (receiver, admin or bearer token), `sender` (the operator or the
   * signed-in `params.sender`), `none` (anybody).
   */
  auth: "operator" | "sender" | "none";
  /** Schema of the path params (`sender` auth needs a `sender` address among them). */
  params?: P;
  /** Schema of the query string (an object of its single values). */
  query?: Q;
  /** Schema of the JSON body; an empty body parses as `{}`. */
  body?: B;
  /** Refuse calls from another origin (default: true for every method but GET and HEAD). */
  sameOrigin?: boolean;
  /** Extra response headers of a returned value (not of a returned Response). */
  headers?: Record<string, string>;
}

export interface RouteInput<P, Q, B> {
  req: Request;
  caller: Caller;
  params: P;
  query: Q;
  body: B;
}

type Ctx = { params: Promise<Record<string, string | string[]>> };

/**
 * Reads a JSON body (at most 64 KiB, else 413) where an empty one means `{}`; malformed JSON is a
 * 400 naming the body.
 */
async function readOptionalBody(req: Request): Promise<unknown> {
  const text = await readBodyText(req);
  return text.trim() === "" ? {} : parseJsonBody(text);
}

/** Builds a route handler from a spec and a handler of parsed input (see the module example). */
export function apiRoute<
  P extends Schema = undefined,
  Q extends Schema = undefined,
  B extends Schema = undefined,
>(
  spec: RouteSpec<P, Q, B>,
  handler: (input: RouteInput<Out<P>, Out<Q>, Out<B>>) => Promise<unknown> | unknown,
): (req: Request, ctx?: Ctx) => Promise<Response> {
  return async (req, ctx) => {
    try {
      const safe = req.method === "GET" || req.method === "HEAD";
      if (spec.sameOrigin ?? !safe) assertSameOrigin(req);
      const params = (
        spec.params ? parseInput(spec.params, await ctx?.params) : undefined
      ) as Out<P>;
      const caller = await getCaller(req);
      if (spec.auth === "sender") {
        const sender = (params as { sender?: Address } | undefined)?.sender;
        if (!sender) throw new Error("apiRoute: `sender` auth needs a sender path param");
        authorize(caller, { kind: "sender", sender });
      } else {
        authorize(caller, { kind: spec.auth });
      }
      const query = (
        spec.query
          ? parseInput(spec.query, Object.fromEntries(new URL(req.url).searchParams))
          : undefined
      ) as Out<Q>;
      const body = (
        spec.body ? parseInput(spec.body, await readOptionalBody(req)) : undefined
      ) as Out<B>;
      const result = await handler({ req, caller, params, query, body });
      if (result instanceof Response) return result;
      return Response.json(result, { headers: spec.headers });
    } catch (err) {
      return errorResponse(err);
    }
  };
}
