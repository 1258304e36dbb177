import { Select } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useState } from "react";
import type { Instrument } from "../../api/types";
import { remember, searchInstruments } from "../../lib/instruments";

/** Finds instruments as the user types (the account's instrument search) and hands the chosen one over. */
export function SymbolSearch({ account, onPick, label = "Add symbol" }: { account: string; onPick: (instrument: Instrument) => void; label?: string }) {
  const [text, setText] = useState("");
  const [query] = useDebouncedValue(text, 200);
  const [found, setFound] = useState<Instrument[]>([]);
  useEffect(() => {
    if (query.trim().length < 2) {
      setFound([]);
      return;
    }
    let live = true;
    searchInstruments(account, query.trim()).then((list) => live && setFound(list)).catch(() => live && setFound([]));
    return () => { live = false; };
  }, [account, query]);

  return (
    <Select label={label} placeholder="e.g. infy, nifty 24000 ce" searchable value={null} searchValue={text}
      onSearchChange={setText} data={found.map((instrument) => ({
        value: instrument.symbol,
        label: `${instrument.symbol}${instrument.name ? ` · ${instrument.name}` : ""}`,
      }))}
      filter={({ options }) => options} nothingFoundMessage={query.trim().length >= 2 ? "No instrument found" : undefined}
      onChange={(symbol) => {
        const instrument = found.find((candidate) => candidate.symbol === symbol);
        if (!instrument) return;
        remember(account, instrument);
        onPick(instrument);
        setText("");
      }} w={320} maw="100%" />
  );
}
