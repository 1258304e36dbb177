import { afterEach, describe, expect, it, vi } from "vitest";
import { dropPendingReads, makeClient, onSessionExpired, setCsrfToken, unwrap } from "./client";
import { ApiError, asApiError } from "./errors";

const seen: Request[] = [];
function answering(status: number, body: unknown) {
  return async (input: Request) => {
    seen.push(input);
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  };
}

afterEach(() => {
  seen.length = 0;
  setCsrfToken(null);
});

describe("the API client", () => {
  it("sends the CSRF token on unsafe requests only", async () => {
    setCsrfToken("token-1");
    const client = makeClient("http://console.test", answering(200, []) as typeof fetch);
    await unwrap(client.GET("/api/v1/accounts"));
    await unwrap(client.POST("/api/v1/accounts/{account}/cancel-all", { params: { path: { account: "p1" } } }));
    expect(seen[0]!.url).toBe("http://console.test/api/v1/accounts");
    expect(seen[0]!.headers.get("X-CSRF-Token")).toBeNull();
    expect(seen[1]!.headers.get("X-CSRF-Token")).toBe("token-1");
  });

  it("turns the error shape into one typed error", async () => {
    const client = makeClient("http://console.test", answering(409, { error: {
      type: "OutcomeUnknownError", message: "the broker did not answer", broker_code: null, outcome_known: false } }) as typeof fetch);
    const failure = await unwrap(client.GET("/api/v1/accounts")).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 409, type: "OutcomeUnknownError", message: "the broker did not answer", outcomeKnown: false });
  });

  it("says the session expired on a 401, but not on a refused sign-in", async () => {
    let expiries = 0;
    const off = onSessionExpired(() => expiries++);
    const refusal = { error: { type: "AuthenticationError", message: "sign in", broker_code: null, outcome_known: true } };
    const client = makeClient("http://console.test", answering(401, refusal) as typeof fetch);
    await unwrap(client.POST("/api/v1/session", { body: { name: "a", password: "b" } })).catch(() => undefined);
    expect(expiries).toBe(0);
    await unwrap(client.GET("/api/v1/accounts")).catch(() => undefined);
    expect(expiries).toBe(1);
    off();
  });

  it("names a network failure as an error like the others", () => {
    expect(asApiError(new TypeError("Failed to fetch"))).toMatchObject({ status: 0, type: "NetworkError", outcomeKnown: false });
  });

  it("drops the reads under way at sign-out, and lets changes finish", async () => {
    const held: { request: Request; answer: () => void }[] = [];
    const holding = (input: Request) => new Promise<Response>((resolve, reject) => {
      input.signal.addEventListener("abort", () => reject(new DOMException("dropped", "AbortError")));
      held.push({ request: input, answer: () => resolve(new Response("[]", { headers: { "Content-Type": "application/json" } })) });
    });
    const client = makeClient("http://console.test", holding as typeof fetch);
    const read = unwrap(client.GET("/api/v1/accounts")).then(() => "answered", (error: unknown) => (error as Error).name);
    const change = unwrap(client.POST("/api/v1/accounts/{account}/cancel-all", { params: { path: { account: "p1" } } }))
      .then(() => "answered", (error: unknown) => (error as Error).name);
    await vi.waitFor(() => expect(held).toHaveLength(2));  // both reached fetch
    dropPendingReads();
    held.forEach((each) => each.answer());
    expect(await read).toBe("AbortError");
    expect(await change).toBe("answered");
    const later = unwrap(client.GET("/api/v1/accounts"));  // a later read goes through
    await vi.waitFor(() => expect(held).toHaveLength(3));
    held[2]!.answer();
    await expect(later).resolves.toEqual([]);
  });
});
