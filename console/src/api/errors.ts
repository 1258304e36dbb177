// The API's one error shape, {"error": {type, message, broker_code, outcome_known}}, as one typed error.
import type { ErrorDetail } from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly brokerCode: string | null;
  /** False when an order may have reached the broker: reconcile it, never send it again. */
  readonly outcomeKnown: boolean;

  constructor(status: number, detail: ErrorDetail) {
    super(detail.message);
    this.name = "ApiError";
    this.status = status;
    this.type = detail.type;
    this.brokerCode = detail.broker_code ?? null;
    this.outcomeKnown = detail.outcome_known ?? true;
  }

  /** The session ended (or never began): sign in again. */
  get signInNeeded(): boolean {
    return this.status === 401;
  }
}

function isErrorDetail(value: unknown): value is ErrorDetail {
  if (typeof value !== "object" || value === null) return false;
  const detail = value as Record<string, unknown>;
  return typeof detail.type === "string" && typeof detail.message === "string";
}

/** The error an answer carries: the API's shape when it is one, else what the status alone says. */
export function errorOf(status: number, body: unknown, statusText = ""): ApiError {
  const detail = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
  if (isErrorDetail(detail)) return new ApiError(status, detail);
  const message = statusText ? `${status} ${statusText}` : `the server answered ${status}`;
  return new ApiError(status, { type: "HTTPError", message, broker_code: null, outcome_known: status < 500 });
}

/** Any thrown value as an ApiError (a network failure becomes one too: it is shown the same way). */
export function asApiError(thrown: unknown): ApiError {
  if (thrown instanceof ApiError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new ApiError(0, { type: "NetworkError", message: `the server cannot be reached: ${message}`,
    broker_code: null, outcome_known: false });
}
