// Instruments by symbol: the ticket's rules need an instrument's tick, lot and freeze; a symbol typed or
// found elsewhere is looked up once per account (the search route's exact match).
import { api, unwrap } from "../api/client";
import type { Instrument } from "../api/types";

const cache = new Map<string, Promise<Instrument | null>>();

export function searchInstruments(account: string, q: string, limit = 12): Promise<Instrument[]> {
  return unwrap(api.GET("/api/v1/accounts/{account}/instruments", { params: { path: { account }, query: { q, limit } } }));
}

export function remember(account: string, instrument: Instrument): void {
  cache.set(`${account}|${instrument.symbol}`, Promise.resolve(instrument));
}

export function findInstrument(account: string, symbol: string): Promise<Instrument | null> {
  const key = `${account}|${symbol}`;
  let found = cache.get(key);
  if (!found) {
    const [exchange, tradingsymbol = symbol] = symbol.includes(":") ? symbol.split(":", 2) : ["", symbol];
    found = searchInstruments(account, tradingsymbol, 20)
      .then((list) => list.find((instrument) => instrument.symbol === symbol || (!exchange && instrument.tradingsymbol === tradingsymbol)) ?? null);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}
