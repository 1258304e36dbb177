import { SegmentedControl, Stack, Text } from "@mantine/core";
import { useComputedColorScheme } from "@mantine/core";
import { CandlestickSeries, ColorType, createChart, type IChartApi, type ISeriesApi, type UTCTimestamp } from "lightweight-charts";
import { useEffect, useRef, useState } from "react";
import { api, unwrap } from "../../api/client";
import type { Instrument } from "../../api/types";
import { nextBar, barOf, type Bar } from "../../lib/candles";
import { chartTime } from "../../lib/format";
import { useStream } from "../../stream/StreamContext";
import { tickKey } from "../../stream/events";

const INTERVALS = { "1m": 60, "5m": 300, "15m": 900, "1h": 3600 } as const;
type IntervalName = keyof typeof INTERVALS;
const HISTORY_DAYS = 3;

/** Candles of the symbol (TradingView Lightweight Charts), the last one moving with its ticks. */
export function CandleChart({ account, instrument }: { account: string; instrument: Instrument }) {
  const holder = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const lastBar = useRef<Bar | null>(null);
  const [interval, setInterval] = useState<IntervalName>("1m");
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const scheme = useComputedColorScheme("light");
  const { quotes } = useStream();

  useEffect(() => {
    if (!holder.current) return;
    const made = createChart(holder.current, { autoSize: true, timeScale: { timeVisible: true, secondsVisible: false } });
    chart.current = made;
    series.current = made.addSeries(CandlestickSeries, {
      upColor: "#12b886", downColor: "#fa5252", borderVisible: false, wickUpColor: "#12b886", wickDownColor: "#fa5252",
    });
    return () => {
      made.remove();
      chart.current = null;
      series.current = null;
    };
  }, []);

  useEffect(() => {
    const dark = scheme === "dark";
    chart.current?.applyOptions({
      layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: dark ? "#c9c9c9" : "#333" },
      grid: { vertLines: { color: dark ? "#2c2e33" : "#eee" }, horzLines: { color: dark ? "#2c2e33" : "#eee" } },
    });
  }, [scheme]);

  // History, then the live bar from each tick of the symbol.
  useEffect(() => {
    let live = true;
    const seconds = INTERVALS[interval];
    lastBar.current = null;
    series.current?.setData([]);
    setProblem(null);
    setLoading(true);
    const to = new Date();
    const from = new Date(to.getTime() - HISTORY_DAYS * 86_400_000);
    unwrap(api.GET("/api/v1/accounts/{account}/candles", {
      params: { path: { account }, query: { symbol: instrument.symbol, interval, from: from.toISOString(), to: to.toISOString() } },
    })).then((candles) => {
      if (!live || !series.current) return;
      const bars = candles.map(barOf);
      series.current.setData(bars.map((bar) => ({ ...bar, time: bar.time as UTCTimestamp })));
      lastBar.current = bars[bars.length - 1] ?? null;
      chart.current?.timeScale().scrollToRealTime();
    }).catch((thrown: unknown) => live && setProblem(thrown instanceof Error ? thrown.message : String(thrown)))
      .finally(() => live && setLoading(false));
    const key = tickKey(account, instrument.symbol);
    const off = quotes.watch(key, () => {
      const tick = quotes.get(key);
      if (!tick || !series.current) return;
      const at = tick.exchange_timestamp ? chartTime(tick.exchange_timestamp) : chartTime(Date.now());
      const bar = nextBar(lastBar.current, Number(tick.last_price), at, seconds);
      if (lastBar.current && bar.time < lastBar.current.time) return;
      lastBar.current = bar;
      series.current.update({ ...bar, time: bar.time as UTCTimestamp });
    });
    return () => {
      live = false;
      off();
    };
  }, [account, instrument.symbol, interval, quotes]);

  return (
    <Stack gap={4}>
      <SegmentedControl size="xs" aria-label="Candle interval" value={interval} onChange={(value) => setInterval(value as IntervalName)}
        data={Object.keys(INTERVALS)} w="fit-content" />
      <div ref={holder} className="chart" role="figure" aria-label={`Candle chart of ${instrument.symbol}`} aria-busy={loading} />
      {problem && <Text size="xs" c="dimmed">No history: {problem}</Text>}
    </Stack>
  );
}
