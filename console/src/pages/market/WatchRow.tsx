import { memo } from "react";
import type { Instrument } from "../../api/types";
import { toNumber } from "../../lib/decimal";
import { changePercent, formatAmount, formatPercent, formatQuantity } from "../../lib/format";
import { useQuote } from "../../stream/StreamContext";


interface Props {
  account: string;
  instrument: Instrument;
  selected: boolean;
  canTrade: boolean;
  onSelect: (instrument: Instrument) => void;
  onTrade: (instrument: Instrument, side: "BUY" | "SELL") => void;
  onRemove: (instrument: Instrument) => void;
}

/** One symbol's line. Only its price cells re-render when the symbol ticks (hundreds a second across the
 * watch list); the symbol and its buttons stay as they are. */
export const WatchRow = memo(function WatchRow({ account, instrument, selected, canTrade, onSelect, onTrade, onRemove }: Props) {
  return (
    <div role="row" className={`watch-row${selected ? " row-selected" : ""}`} aria-selected={selected} onClick={() => onSelect(instrument)}>
      <span role="cell">
        <button type="button" className="linklike" aria-label={`Show ${instrument.symbol}`} onClick={() => onSelect(instrument)}>
          {instrument.symbol}
        </button>
      </span>
      <QuoteCells account={account} instrument={instrument} />
      <span role="cell">
        <span className="row-actions">
          {canTrade && (
            <>
              <button type="button" className="row-action buy" aria-label={`Buy ${instrument.symbol}`}
                onClick={(event) => { event.stopPropagation(); onTrade(instrument, "BUY"); }}>B</button>
              <button type="button" className="row-action sell" aria-label={`Sell ${instrument.symbol}`}
                onClick={(event) => { event.stopPropagation(); onTrade(instrument, "SELL"); }}>S</button>
            </>
          )}
          <button type="button" className="row-action plain" aria-label={`Remove ${instrument.symbol}`}
            onClick={(event) => { event.stopPropagation(); onRemove(instrument); }}>×</button>
        </span>
      </span>
    </div>
  );
});

function QuoteCells({ account, instrument }: { account: string; instrument: Instrument }) {
  const quote = useQuote(account, instrument.symbol);
  const change = changePercent(toNumber(quote?.last_price), toNumber(quote?.close));
  const places = (instrument.tick_size.split(".")[1] ?? "").length > 2 ? 4 : 2;
  const bid = quote?.depth?.bids[0];
  const ask = quote?.depth?.asks[0];
  return (
    <>
      <span role="cell" className="num" aria-label={`${instrument.symbol} last price`}>{formatAmount(quote?.last_price, places)}</span>
      <span role="cell" className={`num ${change === null ? "" : change >= 0 ? "up" : "down"}`}>{formatPercent(change)}</span>
      <span role="cell" className="num wide-only">{bid ? formatAmount(bid.price, places) : "—"}</span>
      <span role="cell" className="num wide-only">{ask ? formatAmount(ask.price, places) : "—"}</span>
      <span role="cell" className="num wide-only">{formatQuantity(quote?.volume)}</span>
    </>
  );
}
