import { describe, expect, it } from "vitest";
import { livePnl, sumPnl, type PnlLine } from "./pnl";

const line: PnlLine = { symbol: "NSE:INFY", product: "CNC", quantity: 10, average_price: "1500.00", last_price: "1510.00",
  realised: "50.00", unrealised: "100.00", day: "80.00" };

describe("live P&L", () => {
  it("moves unrealised and day by the price change of the open quantity", () => {
    expect(livePnl(line, "1512.50")).toEqual({ realised: 50, unrealised: 125, day: 105, net: 175, lastPrice: 1512.5 });
    expect(livePnl({ ...line, quantity: -10 }, "1512.50").unrealised).toBe(75);
    expect(livePnl(line, "1512.50", 1000).unrealised).toBe(100 + 25000);
  });

  it("keeps the server's figures without a newer price, and sums lines", () => {
    const still = livePnl(line, undefined);
    expect(still.net).toBe(150);
    expect(sumPnl([still, still])).toEqual({ realised: 100, unrealised: 200, day: 160, net: 300 });
  });
});
