// Candles for the chart: the API's candles, and the live one built from ticks (a tick's price lands in the
// bar of its interval; a new interval opens a new bar).
import type { Candle } from "../api/types";
import { chartTime } from "./format";

export interface Bar {
  time: number; // seconds, IST wall clock (see chartTime)
  open: number;
  high: number;
  low: number;
  close: number;
}

export function barOf(candle: Candle): Bar {
  return { time: chartTime(candle.at), open: Number(candle.open), high: Number(candle.high), low: Number(candle.low), close: Number(candle.close) };
}

/** The bar after a trade at `price` at time `atSeconds` (chart time), given the last bar. */
export function nextBar(last: Bar | null, price: number, atSeconds: number, intervalSeconds: number): Bar {
  const start = Math.floor(atSeconds / intervalSeconds) * intervalSeconds;
  if (!last || start > last.time) return { time: start, open: price, high: price, low: price, close: price };
  return { ...last, high: Math.max(last.high, price), low: Math.min(last.low, price), close: price };
}
