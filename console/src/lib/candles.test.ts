import { describe, expect, it } from "vitest";
import { barOf, nextBar } from "./candles";

describe("live candles", () => {
  it("reads an API candle on the IST clock", () => {
    const bar = barOf({ at: "2026-12-01T09:15:00+05:30", open: "10", high: "12", low: "9", close: "11", volume: 0 });
    expect(bar).toEqual({ time: Date.UTC(2026, 11, 1, 9, 15) / 1000, open: 10, high: 12, low: 9, close: 11 });
  });

  it("widens the bar of the interval and opens the next one", () => {
    let bar = nextBar(null, 100, 120, 60);
    expect(bar).toEqual({ time: 120, open: 100, high: 100, low: 100, close: 100 });
    bar = nextBar(bar, 103, 150, 60);
    bar = nextBar(bar, 98, 170, 60);
    expect(bar).toEqual({ time: 120, open: 100, high: 103, low: 98, close: 98 });
    expect(nextBar(bar, 99, 185, 60)).toEqual({ time: 180, open: 99, high: 99, low: 99, close: 99 });
  });
});
