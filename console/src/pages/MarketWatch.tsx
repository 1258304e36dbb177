import { Card, Grid, Group, Stack, Text, Title } from "@mantine/core";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import type { Instrument } from "../api/types";
import { remember } from "../lib/instruments";
import { markPaintedOnce } from "../lib/perf";
import { canTrade, useUser } from "../session/SessionContext";
import { useAccounts } from "../shell/AccountsContext";
import { useSubscription } from "../stream/StreamContext";
import { useTicket } from "../ticket/TicketContext";
import { DepthView } from "./market/DepthView";
import { SymbolSearch } from "./market/SymbolSearch";
import { WatchList } from "./market/WatchList";

// The chart library is the biggest piece of the console: it loads after the watch list is on screen.
const CandleChart = lazy(() => import("./market/CandleChart").then((module) => ({ default: module.CandleChart })));

const listKey = (account: string) => `brokerplex.watch.${account}`;

/** The account's watch list, kept in this browser. */
function useWatchList(account: string | null) {
  const [list, setList] = useState<Instrument[]>([]);
  useEffect(() => {
    if (!account) return setList([]);
    try {
      const stored = JSON.parse(localStorage.getItem(listKey(account)) ?? "[]") as Instrument[];
      stored.forEach((instrument) => remember(account, instrument));
      setList(stored);
    } catch {
      setList([]);
    }
  }, [account]);
  const save = useCallback((next: Instrument[]) => {
    setList(next);
    if (account) localStorage.setItem(listKey(account), JSON.stringify(next));
  }, [account]);
  return [list, save] as const;
}

export function MarketWatchPage() {
  const { current: account } = useAccounts();
  const user = useUser();
  const ticket = useTicket();
  const [list, saveList] = useWatchList(account);
  const [selected, setSelected] = useState<Instrument | null>(null);
  useSubscription(account, list.map((instrument) => instrument.symbol), "full");

  const chosen = selected && list.some((instrument) => instrument.symbol === selected.symbol) ? selected : list[0] ?? null;
  useEffect(() => {
    ticket.setFocus(chosen);
    return () => ticket.setFocus(null);
  }, [ticket, chosen]);

  const add = (instrument: Instrument) => {
    if (!list.some((known) => known.symbol === instrument.symbol)) saveList([...list, instrument]);
    setSelected(instrument);
  };
  const remove = useCallback((instrument: Instrument) => saveList(list.filter((known) => known.symbol !== instrument.symbol)), [list, saveList]);
  useEffect(() => {
    if (account) markPaintedOnce("console:interactive");
  }, [account]);
  const trade = useCallback((instrument: Instrument, side: "BUY" | "SELL") => ticket.open({ instrument, side }), [ticket]);

  if (!account) return <Text>No account to watch: an admin activates one under Broker connections.</Text>;
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={2} size="h3">Market watch</Title>
        <SymbolSearch account={account} onPick={add} />
      </Group>
      <Grid>
        <Grid.Col span={12}>
          <Card withBorder p={0} className="watch-box">
            <WatchList account={account} list={list} selected={chosen?.symbol} canTrade={canTrade(user)}
              onSelect={setSelected} onTrade={trade} onRemove={remove} />
            {!list.length && <Text p="md" c="dimmed">Add symbols with the search above.</Text>}
          </Card>
          {canTrade(user) && chosen && <Text size="xs" c="dimmed" mt={4}>B / F1 buys, S / F2 sells {chosen.symbol}.</Text>}
        </Grid.Col>
        {chosen && (
          <>
            <Grid.Col span={{ base: 12, md: 5 }}>
              <Title order={3} size="h5" mb="xs">{chosen.symbol}</Title>
              <DepthView account={account} instrument={chosen} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 7 }}>
              <Suspense fallback={<Text size="sm" c="dimmed">Loading the chart…</Text>}>
                <CandleChart account={account} instrument={chosen} />
              </Suspense>
            </Grid.Col>
          </>
        )}
      </Grid>
    </Stack>
  );
}
