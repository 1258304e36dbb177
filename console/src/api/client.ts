// The typed API client: openapi-fetch over the generated paths, with the browser session's rules.
// Cookie session: the browser sends the cookie; every unsafe request carries X-CSRF-Token. Any 401 means
// the session ended: listeners are told (the app shows sign-in over the page, which keeps its state).
import createClient, { type Middleware } from "openapi-fetch";
import { errorOf } from "./errors";
import type { paths } from "./schema";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

let csrfToken: string | null = null;
const expiryListeners = new Set<() => void>();
let reads = new AbortController();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called on every 401 answer (except the sign-in's own refusal); returns the unsubscribe function. */
export function onSessionExpired(listener: () => void): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

/** Drops the reads still under way (sign-out): their answers, refused once the session ends, are not wanted.
 * Changes are left to finish: an order already sent must get its answer. */
export function dropPendingReads(): void {
  reads.abort();
  reads = new AbortController();
}

/** `fetchImpl` with each read tied to the reads of this session. */
function droppableReads(fetchImpl: typeof fetch): typeof fetch {
  return (input, init) => {
    const request = new Request(input, init);
    return fetchImpl(SAFE_METHODS.has(request.method) ? new Request(request, { signal: reads.signal }) : request);
  };
}

export function sessionMiddleware(): Middleware {
  return {
    onRequest({ request }) {
      if (!SAFE_METHODS.has(request.method) && csrfToken) request.headers.set("X-CSRF-Token", csrfToken);
      return request;
    },
    onResponse({ request, response }) {
      const signingIn = request.method === "POST" && new URL(request.url).pathname.endsWith("/session");
      if (response.status === 401 && !signingIn) expiryListeners.forEach((listener) => listener());
      return response;
    },
  };
}

/** The generated paths carry /api/v1 already: the base is this page's origin. */
export function makeClient(baseUrl = globalThis.location?.origin ?? "", fetchImpl?: typeof fetch) {
  const base = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  const client = createClient<paths>({ baseUrl, credentials: "same-origin", fetch: droppableReads(base) });
  client.use(sessionMiddleware());
  return client;
}

export const api = makeClient();

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of an answer, or its error thrown as an ApiError. */
export async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) throw errorOf(response.status, error, response.statusText);
  return data as T;
}
