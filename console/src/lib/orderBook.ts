// The order book as the console keeps it: the REST answer, then every order event of the stream on top
// (an event carries the whole order as it now stands). A late REST answer never undoes a newer event.
import type { Order, OrderStatus } from "../api/types";

export type Book = ReadonlyMap<string, Order>;

const FINAL: ReadonlySet<OrderStatus> = new Set(["COMPLETE", "CANCELLED", "REJECTED"]);

export const isOpen = (order: Order): boolean => !FINAL.has(order.status);

function newer(candidate: Order, known: Order | undefined): boolean {
  if (!known) return true;
  const [a, b] = [Date.parse(candidate.updated_at), Date.parse(known.updated_at)];
  if (a !== b) return a > b;
  // Same instant: a final state wins over an open one (a fill and its ack can share a timestamp).
  return !isOpen(candidate) || isOpen(known);
}

/** The book with these orders applied (each kept only if it is at least as new as what is known). */
export function applyOrders(book: Book, orders: Order[]): Book {
  let next: Map<string, Order> | null = null;
  for (const order of orders) {
    const known = (next ?? book).get(order.order_id);
    if (!newer(order, known)) continue;
    next ??= new Map(book);
    next.set(order.order_id, order);
  }
  return next ?? book;
}

/** Newest first (by when placed, then by id for a stable order). */
export function sortedOrders(book: Book): Order[] {
  return [...book.values()].sort((a, b) => Date.parse(b.placed_at) - Date.parse(a.placed_at) || b.order_id.localeCompare(a.order_id));
}

export type StatusFilter = "all" | "open" | "complete" | "rejected" | "cancelled";

/** The orders a filter keeps: by status (open = not final yet) and by words of the symbol. */
export function filterOrders(orders: Order[], status: StatusFilter, text: string): Order[] {
  const words = text.trim().toUpperCase().split(/\s+/).filter(Boolean);
  if (status === "all" && !words.length) return orders;
  return orders.filter((order) => {
    if (status === "open" ? !isOpen(order) : status !== "all" && order.status !== status.toUpperCase()) return false;
    return words.every((word) => order.symbol.includes(word));
  });
}
