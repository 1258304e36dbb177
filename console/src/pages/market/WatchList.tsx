import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import type { Instrument } from "../../api/types";
import { WatchRow } from "./WatchRow";

const ROW_HEIGHT = 34;
const MAX_ROWS_SHOWN = 16; // then the list scrolls
const HEADERS: [string, string][] = [["Symbol", ""], ["LTP", "num"], ["Chg %", "num"], ["Bid", "num wide-only"],
  ["Ask", "num wide-only"], ["Volume", "num wide-only"], ["Actions", "visually-hidden-text"]];

interface Props {
  account: string;
  list: Instrument[];
  selected: string | undefined;
  canTrade: boolean;
  onSelect: (instrument: Instrument) => void;
  onTrade: (instrument: Instrument, side: "BUY" | "SELL") => void;
  onRemove: (instrument: Instrument) => void;
}

/** The watch list, virtualised: only the rows in view are in the page (and re-render on their ticks), so a
 * list of hundreds of symbols costs what the screen shows. */
export function WatchList({ account, list, selected, ...actions }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: list.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 6,
    getItemKey: (index) => list[index]!.symbol,
  });
  return (
    <div role="table" aria-label="Watch list" aria-rowcount={list.length + 1} className="grid-rows watch-grid">
      <div role="rowgroup">
        <div role="row" className="watch-row">
          {HEADERS.map(([header, className]) => <span role="columnheader" key={header} className={className}>{header}</span>)}
        </div>
      </div>
      <div ref={scroller} role="rowgroup" className="watch-scroll" style={{ height: Math.min(list.length, MAX_ROWS_SHOWN) * ROW_HEIGHT }}>
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {virtual.getVirtualItems().map((item) => {
            const instrument = list[item.index]!;
            return (
              <div key={item.key} style={{ position: "absolute", top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}>
                <WatchRow account={account} instrument={instrument} selected={instrument.symbol === selected} {...actions} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
