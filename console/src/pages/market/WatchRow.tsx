import { ActionIcon, Button, Group } from "@mantine/core";
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

/** One symbol's live line: only this row renders when its symbol ticks. */
export const WatchRow = memo(function WatchRow({ account, instrument, selected, canTrade, onSelect, onTrade, onRemove }: Props) {
  const quote = useQuote(account, instrument.symbol);
  const change = changePercent(toNumber(quote?.last_price), toNumber(quote?.close));
  const places = (instrument.tick_size.split(".")[1] ?? "").length > 2 ? 4 : 2;
  const bid = quote?.depth?.bids[0];
  const ask = quote?.depth?.asks[0];
  return (
    <tr className={selected ? "row-selected" : undefined} aria-selected={selected} onClick={() => onSelect(instrument)}>
      <td>
        <button type="button" className="linklike" aria-label={`Show ${instrument.symbol}`} onClick={() => onSelect(instrument)}>
          {instrument.symbol}
        </button>
      </td>
      <td className="num" aria-label={`${instrument.symbol} last price`}>{formatAmount(quote?.last_price, places)}</td>
      <td className={`num ${change === null ? "" : change >= 0 ? "up" : "down"}`}>{formatPercent(change)}</td>
      <td className="num wide-only">{bid ? formatAmount(bid.price, places) : "—"}</td>
      <td className="num wide-only">{ask ? formatAmount(ask.price, places) : "—"}</td>
      <td className="num wide-only">{formatQuantity(quote?.volume)}</td>
      <td>
        <Group gap={4} wrap="nowrap" justify="flex-end">
          {canTrade && (
            <>
              <Button size="compact-xs" color="blue" aria-label={`Buy ${instrument.symbol}`}
                onClick={(event) => { event.stopPropagation(); onTrade(instrument, "BUY"); }}>B</Button>
              <Button size="compact-xs" color="orange" aria-label={`Sell ${instrument.symbol}`}
                onClick={(event) => { event.stopPropagation(); onTrade(instrument, "SELL"); }}>S</Button>
            </>
          )}
          <ActionIcon size="sm" variant="subtle" color="gray" aria-label={`Remove ${instrument.symbol}`}
            onClick={(event) => { event.stopPropagation(); onRemove(instrument); }}>×</ActionIcon>
        </Group>
      </td>
    </tr>
  );
});
