import { describe, expect, it } from "vitest";
import type { Instrument } from "../api/types";
import { defaultProduct, orderProblems, sliceQuantities, orderRequest, orderValue, productsFor, tickFloor, type OrderForm } from "./orderRules";

const equity: Instrument = {
  symbol: "NSE:INFY", exchange: "NSE", tradingsymbol: "INFY", name: "Infosys", instrument_type: "EQ",
  lot_size: 1, tick_size: "0.05", multiplier: "1", freeze_quantity: 100000,
};
const future: Instrument = {
  symbol: "NFO:NIFTY25DECFUT", exchange: "NFO", tradingsymbol: "NIFTY25DECFUT", name: "NIFTY", instrument_type: "FUT",
  lot_size: 75, tick_size: "0.10", multiplier: "1", freeze_quantity: 1800,
};
const index: Instrument = { ...equity, symbol: "NSE:NIFTY 50", instrument_type: "INDEX" };

function form(overrides: Partial<OrderForm> = {}): OrderForm {
  return {
    symbol: "NSE:INFY", side: "BUY", quantity: "10", orderType: "LIMIT", product: "CNC", price: "1500.05",
    triggerPrice: "", validity: "DAY", variety: "regular", disclosedQuantity: "", target: "", stopLoss: "", ...overrides,
  };
}

describe("order rules, as the server checks them", () => {
  it("takes a good order", () => {
    expect(orderProblems(form(), equity)).toEqual({});
  });

  it("refuses a price off the tick grid, in the server's words", () => {
    expect(orderProblems(form({ price: "1500.03" }), equity).price).toBe(
      "price 1500.03 is not a multiple of the tick size 0.05 of NSE:INFY");
  });

  it("checks lots and the freeze quantity", () => {
    const base = { symbol: future.symbol, product: "NRML" as const, price: "24000.10" };
    expect(orderProblems(form({ ...base, quantity: "100" }), future).quantity).toBe(
      "quantity 100 is not a multiple of the lot size 75 of NFO:NIFTY25DECFUT");
    expect(orderProblems(form({ ...base, quantity: "1875" }), future).quantity).toBe(
      "quantity 1875 exceeds the freeze quantity 1800 of NFO:NIFTY25DECFUT; slice the order");
    expect(orderProblems(form({ ...base, quantity: "150" }), future)).toEqual({});
    expect(orderProblems(form({ ...base, quantity: "1875" }), future, true)).toEqual({}); // sent as slices
    expect(orderProblems(form({ ...base, quantity: "1870" }), future, true).quantity).toMatch(/lot size/);
    expect(sliceQuantities(1875, future)).toEqual([1800, 75]); // 24 lots of 75 fill the freeze quantity
    expect(sliceQuantities(3450, future)).toEqual([1800, 1650]);
    expect(sliceQuantities(1820, { ...future, lot_size: 65 })).toEqual([1755, 65]);
    expect(sliceQuantities(150, future)).toEqual([150]);
  });

  it("wants prices and triggers by order type", () => {
    expect(orderProblems(form({ price: "" }), equity).price).toBe("a LIMIT order needs a price");
    expect(orderProblems(form({ orderType: "SL-M", price: "" }), equity).triggerPrice).toBe("a SL-M order needs a trigger price");
    expect(orderProblems(form({ orderType: "SL", triggerPrice: "1501" }), equity).triggerPrice).toBe(
      "a stop-loss BUY needs trigger price <= price");
    expect(orderProblems(form({ orderType: "SL", side: "SELL", triggerPrice: "1499" }), equity).triggerPrice).toBe(
      "a stop-loss SELL needs trigger price >= price");
    expect(orderProblems(form({ orderType: "SL", triggerPrice: "1500", validity: "IOC" }), equity).validity).toBe(
      "IOC validity is for MARKET and LIMIT orders only");
    expect(orderProblems(form({ orderType: "MARKET", price: "garbage" }), equity)).toEqual({});
  });

  it("matches products to exchanges", () => {
    expect(orderProblems(form({ product: "NRML" }), equity).product).toMatch(/^product NRML is for derivatives/);
    expect(productsFor("NFO:NIFTY25DECFUT")).toEqual(["NRML", "MIS"]);
    expect(defaultProduct("NSE:INFY")).toBe("CNC");
  });

  it("refuses an index and a bracket without its legs", () => {
    expect(orderProblems(form(), index).symbol).toMatch(/is an index/);
    expect(orderProblems(form({ variety: "bo" }), equity).target).toMatch(/bracket order needs a target/);
    expect(orderProblems(form({ disclosedQuantity: "11" }), equity).disclosedQuantity).toBe(
      "disclosed quantity cannot exceed the order quantity");
  });
});

describe("the request sent", () => {
  it("carries prices only where the type takes them", () => {
    expect(orderRequest(form({ orderType: "MARKET" }))).not.toHaveProperty("price");
    expect(orderRequest(form({ orderType: "SL", triggerPrice: "1499" }))).toMatchObject({ price: "1500.05", trigger_price: "1499" });
    expect(orderRequest(form())).toMatchObject({ quantity: 10, product: "CNC", disclosed_quantity: 0 });
  });

  it("values the order exactly (its price, else the last price)", () => {
    expect(orderValue(form(), null)).toBe("15000.50");
    expect(orderValue(form({ orderType: "MARKET" }), "1499.95")).toBe("14999.50");
    expect(orderValue(form({ orderType: "MARKET" }), null)).toBeNull();
  });

  it("floors a price to the tick grid", () => {
    expect(tickFloor("1500.07", "0.05")).toBe("1500.05");
    expect(tickFloor("83.2537", "0.0025")).toBe("83.2525");
  });
});
