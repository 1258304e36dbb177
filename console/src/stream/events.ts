// What WS /api/v1/stream sends: a text frame carries one event or several, one JSON object a line
// (Event.record() on the server: a `type`, the `account`, an `id` on order and trade events).
import type { Depth, ErrorDetail, Order, Trade } from "../api/types";

export type TickMode = "ltp" | "quote" | "full";
export type FeedStateName = "connecting" | "live" | "reconnecting" | "stale" | "login_needed" | "closed";

export interface TickEvent {
  type: "tick";
  account: string;
  symbol: string;
  mode: TickMode;
  last_price: string;
  last_quantity?: number;
  volume?: number;
  open_interest?: number;
  average_price?: string;
  open?: string;
  high?: string;
  low?: string;
  close?: string;
  exchange_timestamp?: string;
  depth?: Depth;
}

export type OrderEvent = { type: "order"; account: string; id?: string } & Order;
export type TradeEvent = { type: "trade"; account: string; id?: string } & Trade;

export interface StateEvent {
  type: "state";
  account: string;
  state: FeedStateName;
  attempt?: number;
  delay?: number;
  reason?: string;
}

export interface StreamErrorEvent {
  type: "error";
  error: ErrorDetail;
}

export type StreamEvent = TickEvent | OrderEvent | TradeEvent | StateEvent | StreamErrorEvent;

const TYPES = new Set(["tick", "order", "trade", "state", "error"]);

/** The events of one frame, in order; a line that is not an event is skipped (and reported once). */
export function parseFrame(text: string, onBadLine?: (line: string) => void): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null && TYPES.has((value as { type?: string }).type ?? "")) {
        events.push(value as StreamEvent);
        continue;
      }
    } catch {
      // fall through: reported below
    }
    onBadLine?.(line);
  }
  return events;
}

export function tickKey(account: string, symbol: string): string {
  return `${account}\u0000${symbol}`;
}
