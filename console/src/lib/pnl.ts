// P&L moved by live prices: the server's lines are priced at its last look; a newer last price shifts the
// unrealised and day P&L of the open quantity by (new − old) × quantity × multiplier. Realised stays.
import type { components } from "../api/schema";
import { toNumber } from "./decimal";

export type PnlLine = components["schemas"]["PnlLine"];

export interface LivePnl {
  realised: number;
  unrealised: number;
  day: number;
  net: number;
  lastPrice: number;
}

export function livePnl(line: PnlLine, lastPrice: string | undefined, multiplier = 1): LivePnl {
  const then = toNumber(line.last_price) ?? 0;
  const now = toNumber(lastPrice) ?? then;
  const shift = (now - then) * line.quantity * multiplier;
  const realised = toNumber(line.realised) ?? 0;
  const unrealised = (toNumber(line.unrealised) ?? 0) + shift;
  return { realised, unrealised, day: (toNumber(line.day) ?? 0) + shift, net: realised + unrealised, lastPrice: now };
}

export function sumPnl(values: LivePnl[]): Omit<LivePnl, "lastPrice"> {
  return values.reduce((total, value) => ({
    realised: total.realised + value.realised, unrealised: total.unrealised + value.unrealised,
    day: total.day + value.day, net: total.net + value.net,
  }), { realised: 0, unrealised: 0, day: 0, net: 0 });
}
