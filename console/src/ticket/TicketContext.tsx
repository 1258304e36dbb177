// The order ticket lives above the pages: opened from any of them (or by the keyboard) and never lost by
// moving between pages or by the session ending under it.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { Instrument, Side } from "../api/types";
import { OrderTicket } from "./OrderTicket";

export interface TicketRequest {
  instrument: Instrument;
  side: Side;
  quantity?: number;
  price?: string;
}

interface Ticket {
  /** False for viewers: no ticket at all. */
  enabled: boolean;
  open(request: TicketRequest): void;
  /** The instrument the B and S keys act on (the market watch's selected row). */
  setFocus(instrument: Instrument | null): void;
}

const TicketContext = createContext<Ticket | null>(null);

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** The side a key asks for: B / F1 buy, S / F2 sell (Kite's and most terminals' keys). */
export function sideOfKey(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): Side | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (event.key === "b" || event.key === "B" || event.key === "F1" || event.key === "+") return "BUY";
  if (event.key === "s" || event.key === "S" || event.key === "F2" || event.key === "-") return "SELL";
  return null;
}

export function TicketProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const [request, setRequest] = useState<(TicketRequest & { serial: number }) | null>(null);
  const [opened, setOpened] = useState(false);
  const focus = useRef<Instrument | null>(null);
  const serial = useRef(0);

  const open = useCallback((next: TicketRequest) => {
    if (!enabled) return;
    serial.current += 1;
    setRequest({ ...next, serial: serial.current });
    setOpened(true);
  }, [enabled]);

  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      if (typingIn(event.target) || !focus.current) return;
      const side = sideOfKey(event);
      if (!side) return;
      event.preventDefault();
      open({ instrument: focus.current, side });
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled, open]);

  const value = useMemo<Ticket>(() => ({
    enabled, open, setFocus: (instrument) => { focus.current = instrument; },
  }), [enabled, open]);

  return (
    <TicketContext.Provider value={value}>
      {children}
      {enabled && request && <OrderTicket request={request} opened={opened} onClose={() => setOpened(false)} />}
    </TicketContext.Provider>
  );
}

export function useTicket(): Ticket {
  const ticket = useContext(TicketContext);
  if (!ticket) throw new Error("useTicket outside TicketProvider");
  return ticket;
}
