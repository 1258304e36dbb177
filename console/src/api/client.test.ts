import { afterEach, describe, expect, it } from "vitest";
import { makeClient, onSessionExpired, setCsrfToken, unwrap } from "./client";
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
});
