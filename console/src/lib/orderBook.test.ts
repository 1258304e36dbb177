import { describe, expect, it } from "vitest";
import type { Order } from "../api/types";
import { applyOrders, filterOrders, isOpen, sortedOrders } from "./orderBook";

const order = (id: string, status: Order["status"], updated: string, placed = "2026-12-01T09:15:00+05:30"): Order => ({
  order_id: id, symbol: "NSE:INFY", side: "BUY", order_type: "LIMIT", product: "CNC", validity: "DAY", variety: "regular",
  quantity: 10, filled_quantity: 0, pending_quantity: 10, cancelled_quantity: 0, disclosed_quantity: 0, price: "1500.00",
  status, placed_at: placed, updated_at: updated,
});

describe("the live order book", () => {
  it("takes newer states and ignores older ones", () => {
    let book = applyOrders(new Map(), [order("A", "OPEN", "2026-12-01T09:15:00+05:30")]);
    book = applyOrders(book, [order("A", "COMPLETE", "2026-12-01T09:15:02+05:30")]);
    book = applyOrders(book, [order("A", "OPEN", "2026-12-01T09:15:01+05:30")]); // a late REST answer
    expect(book.get("A")!.status).toBe("COMPLETE");
    expect(isOpen(book.get("A")!)).toBe(false);
  });

  it("lets a final state win a tie and keeps the same map when nothing changed", () => {
    const open = order("A", "OPEN", "2026-12-01T09:15:00+05:30");
    let book = applyOrders(new Map(), [open]);
    book = applyOrders(book, [order("A", "CANCELLED", "2026-12-01T09:15:00+05:30")]);
    expect(book.get("A")!.status).toBe("CANCELLED");
    expect(applyOrders(book, [open])).toBe(book);
  });

  it("lists the newest first", () => {
    const book = applyOrders(new Map(), [
      order("A", "OPEN", "2026-12-01T09:15:00+05:30", "2026-12-01T09:15:00+05:30"),
      order("B", "OPEN", "2026-12-01T09:16:00+05:30", "2026-12-01T09:16:00+05:30"),
    ]);
    expect(sortedOrders(book).map((o) => o.order_id)).toEqual(["B", "A"]);
  });
});

describe("the order book's filter", () => {
  it("keeps orders by status and by words of the symbol", () => {
    const orders = [order("A", "OPEN", "2026-12-01T09:15:00+05:30"), order("B", "TRIGGER PENDING", "2026-12-01T09:15:00+05:30"),
      { ...order("C", "COMPLETE", "2026-12-01T09:15:00+05:30"), symbol: "NFO:NIFTY26DECFUT" }];
    expect(filterOrders(orders, "all", "").map((o) => o.order_id)).toEqual(["A", "B", "C"]);
    expect(filterOrders(orders, "open", "").map((o) => o.order_id)).toEqual(["A", "B"]);
    expect(filterOrders(orders, "complete", "").map((o) => o.order_id)).toEqual(["C"]);
    expect(filterOrders(orders, "all", "nifty fut").map((o) => o.order_id)).toEqual(["C"]);
    expect(filterOrders(orders, "open", "infy").map((o) => o.order_id)).toEqual(["A", "B"]);
  });
});
