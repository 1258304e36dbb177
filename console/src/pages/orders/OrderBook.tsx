import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import type { Order } from "../../api/types";
import { OrderRow } from "./OrderRow";

const HEADERS = ["Time", "Symbol", "Side", "Type", "Product", "Filled/Qty", "Price", "Avg", "Status", "Actions"];
const NUMERIC = new Set(["Filled/Qty", "Price", "Avg"]);
const WIDE_ONLY = new Set(["Time", "Type", "Product", "Avg"]); // a phone shows what to act on
const ROW_HEIGHT = 37;

/** The order book, virtualised: only the rows in view are in the page, so thousands stay cheap. */
export function OrderBook({ account, orders, unknown, canTrade, onHistory }: {
  account: string; orders: Order[]; unknown: ReadonlySet<string>; canTrade: boolean; onHistory: (order: Order) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: orders.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10,
    getItemKey: (index) => orders[index]!.order_id,
  });
  return (
    <div className="scroll-x">
      <div role="table" aria-label="Order book" aria-rowcount={orders.length + 1} className="grid-rows order-grid">
        <div role="rowgroup">
          <div role="row" className="order-row">
            {HEADERS.map((header) => (
              <span role="columnheader" key={header}
                className={[NUMERIC.has(header) ? "num" : "", WIDE_ONLY.has(header) ? "wide-only" : ""].join(" ").trim() || undefined}>
                {header}
              </span>
            ))}
          </div>
        </div>
        <div ref={scroller} style={{ maxHeight: "calc(100vh - 260px)", minHeight: 120, overflowY: "auto" }}>
          <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
            {virtual.getVirtualItems().map((item) => {
              const order = orders[item.index]!;
              return (
                <div key={item.key} data-index={item.index} ref={virtual.measureElement}
                  style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}>
                  <OrderRow account={account} order={order} canTrade={canTrade} onHistory={onHistory}
                    unknown={!!order.client_order_id && unknown.has(order.client_order_id)} />
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
