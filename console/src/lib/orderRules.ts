// The order ticket's checks, mirroring the server's (core/src/brokerplex/rules.py for tick, lot and freeze;
// models.py OrderRequest for prices, product and validity) with the server's wording, so the desk sees the
// problem before sending. The server checks again: its answer is the last word, shown in place.
import type { Instrument, OrderRequest, OrderType, Product, Side, Validity, Variety } from "../api/types";
import { decimalText, isMultipleOf, parseDecimal, times } from "./decimal";

export const CASH_EXCHANGES = new Set(["NSE", "BSE"]);
export const ORDER_TYPES: OrderType[] = ["MARKET", "LIMIT", "SL", "SL-M"];
export const PRODUCTS: Product[] = ["CNC", "MIS", "NRML"];
export const VALIDITIES: Validity[] = ["DAY", "IOC"];
export const VARIETIES: Variety[] = ["regular", "amo", "co", "bo", "iceberg"];

export interface OrderForm {
  symbol: string;
  side: Side;
  /** Units (shares, or contracts × lot size): what the API takes. The ticket may edit it in lots. */
  quantity: string;
  orderType: OrderType;
  product: Product;
  price: string;
  triggerPrice: string;
  validity: Validity;
  variety: Variety;
  disclosedQuantity: string;
  target: string;
  stopLoss: string;
}

export type OrderField = keyof OrderForm;
export type Problems = Partial<Record<OrderField, string>>;

export function exchangeOf(symbol: string): string {
  return symbol.split(":", 1)[0] ?? "";
}

export function isCash(symbol: string): boolean {
  return CASH_EXCHANGES.has(exchangeOf(symbol));
}

/** The products an order of this symbol may take (CNC on cash exchanges, NRML on derivatives, MIS on both). */
export function productsFor(symbol: string): Product[] {
  return isCash(symbol) ? ["CNC", "MIS"] : ["NRML", "MIS"];
}

export function defaultProduct(symbol: string): Product {
  return isCash(symbol) ? "CNC" : "NRML";
}

/** Quantities are traded in lots where a lot is more than one unit (F&O, currency, commodities). */
export function tradesInLots(instrument: Pick<Instrument, "lot_size">): boolean {
  return instrument.lot_size > 1;
}

export const needsPrice = (type: OrderType): boolean => type === "LIMIT" || type === "SL";
export const needsTrigger = (type: OrderType, variety: Variety = "regular"): boolean =>
  type === "SL" || type === "SL-M" || (variety === "co" && (type === "MARKET" || type === "LIMIT"));

function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}

/** Above the freeze quantity an order must go as slices (POST …/slice sends freeze-sized children). */
export function aboveFreeze(quantity: number, instrument: Instrument): boolean {
  return instrument.freeze_quantity != null && quantity > instrument.freeze_quantity;
}

/** ops.legs.slice_quantities: the fewest children, each whole lots and at most the freeze quantity. */
export function sliceQuantities(quantity: number, instrument: Instrument): number[] {
  const freeze = instrument.freeze_quantity;
  if (freeze == null || quantity <= freeze) return [quantity];
  const biggest = Math.floor(freeze / instrument.lot_size) * instrument.lot_size;
  if (biggest <= 0) return [quantity]; // the server refuses it, in its own words
  const rest = quantity % biggest;
  return [...Array<number>(Math.floor(quantity / biggest)).fill(biggest), ...(rest ? [rest] : [])];
}

/** rules.quantity_problem, with the server's words; `sliced`: the order goes as slices, so the freeze
 * quantity bounds each slice, not the order. */
export function quantityProblem(quantity: number, instrument: Instrument, sliced = false): string | null {
  if (quantity % instrument.lot_size) {
    return `quantity ${quantity} is not a multiple of the lot size ${instrument.lot_size} of ${instrument.symbol}`;
  }
  if (!sliced && aboveFreeze(quantity, instrument)) {
    return `quantity ${quantity} exceeds the freeze quantity ${instrument.freeze_quantity} of ${instrument.symbol}; slice the order`;
  }
  return null;
}

/** rules.prices_problem for one price: on the tick grid. */
export function tickProblem(label: string, text: string, instrument: Instrument): string | null {
  const value = parseDecimal(text);
  const tick = parseDecimal(instrument.tick_size ?? "0.05");
  if (value === null || tick === null) return `${label}: give a number`;
  if (value <= 0n) return `${label}: must be greater than 0`;
  if (!isMultipleOf(value, tick)) {
    return `${label} ${text.trim()} is not a multiple of the tick size ${instrument.tick_size} of ${instrument.symbol}`;
  }
  return null;
}

/** Every problem of the form for this instrument, by field; empty when the server would take it. */
export function orderProblems(form: OrderForm, instrument: Instrument, sliced = false): Problems {
  const problems: Problems = {};
  if (instrument.instrument_type === "INDEX") {
    problems.symbol = `${instrument.symbol} is an index: indices can be quoted, not traded`;
    return problems;
  }
  const quantity = wholeNumber(form.quantity);
  if (quantity === null || quantity <= 0) problems.quantity = "quantity: give a whole number above 0";
  else {
    const problem = quantityProblem(quantity, instrument, sliced);
    if (problem) problems.quantity = problem;
  }
  const { orderType: type, variety } = form;
  if (needsPrice(type)) {
    if (!form.price.trim()) problems.price = `a ${type} order needs a price`;
    else problems.price = tickProblem("price", form.price, instrument) ?? undefined;
  }
  if (needsTrigger(type, variety)) {
    if (!form.triggerPrice.trim()) problems.triggerPrice = `a ${type} order needs a trigger price`;
    else problems.triggerPrice = tickProblem("trigger price", form.triggerPrice, instrument) ?? undefined;
  }
  if (type === "SL" && !problems.price && !problems.triggerPrice) {
    const price = parseDecimal(form.price);
    const trigger = parseDecimal(form.triggerPrice);
    if (price !== null && trigger !== null) {
      if (form.side === "BUY" && trigger > price) problems.triggerPrice = "a stop-loss BUY needs trigger price <= price";
      if (form.side === "SELL" && trigger < price) problems.triggerPrice = "a stop-loss SELL needs trigger price >= price";
    }
  }
  if (form.validity === "IOC" && (type === "SL" || type === "SL-M")) {
    problems.validity = "IOC validity is for MARKET and LIMIT orders only";
  }
  const cash = isCash(instrument.symbol);
  if (form.product === "CNC" && !cash) {
    problems.product = `product CNC is for cash exchanges (NSE, BSE), not ${instrument.exchange}; use NRML or MIS`;
  } else if (form.product === "NRML" && cash) {
    problems.product = `product NRML is for derivatives, not ${instrument.exchange}; use CNC or MIS`;
  }
  const disclosed = form.disclosedQuantity.trim() ? wholeNumber(form.disclosedQuantity) : 0;
  if (disclosed === null) problems.disclosedQuantity = "disclosed quantity: give a whole number";
  else if (quantity !== null && disclosed > quantity) {
    problems.disclosedQuantity = "disclosed quantity cannot exceed the order quantity";
  }
  if (variety === "bo") {
    if (!form.target.trim() || !form.stopLoss.trim()) {
      problems.target = "a bracket order needs a target and a stop loss (points from the entry price)";
    }
  }
  for (const key of Object.keys(problems) as OrderField[]) if (problems[key] === undefined) delete problems[key];
  return problems;
}

/** The API's order request for a form without problems: prices only where the order type takes them. */
export function orderRequest(form: OrderForm): OrderRequest {
  const disclosed = form.disclosedQuantity.trim() ? Number(form.disclosedQuantity) : 0;
  const request: OrderRequest = {
    symbol: form.symbol,
    side: form.side,
    quantity: Number(form.quantity),
    order_type: form.orderType,
    product: form.product,
    validity: form.validity,
    variety: form.variety,
    disclosed_quantity: disclosed,
  };
  if (needsPrice(form.orderType)) request.price = form.price.trim();
  if (needsTrigger(form.orderType, form.variety)) request.trigger_price = form.triggerPrice.trim();
  if (form.variety === "bo") {
    request.target = form.target.trim();
    request.stop_loss = form.stopLoss.trim();
  }
  return request;
}

/** What the order is worth at its price (LIMIT, SL) or at the last price (MARKET, SL-M): decimal text, or
 * null when neither is known. Used for the confirmation threshold. */
export function orderValue(form: OrderForm, lastPrice: string | null): string | null {
  const quantity = wholeNumber(form.quantity);
  const priceText = needsPrice(form.orderType) ? form.price : form.orderType === "SL-M" ? form.triggerPrice : lastPrice;
  const price = priceText ? parseDecimal(priceText) : null;
  if (quantity === null || price === null) return null;
  return decimalText(times(price, quantity), 2);
}

/** The nearest price on the instrument's tick grid at or below `text` (rules.tick_floor). */
export function tickFloor(text: string, tickSize: string): string | null {
  const value = parseDecimal(text);
  const tick = parseDecimal(tickSize);
  if (value === null || tick === null || tick === 0n) return null;
  const floored = (value / tick) * tick;
  const places = (tickSize.split(".")[1] ?? "").length;
  return decimalText(floored, places);
}
