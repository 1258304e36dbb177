import { Alert, Button, Checkbox, Drawer, Group, MultiSelect, Select, Stack, Text, TextInput } from "@mantine/core";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { asApiError, type ApiError } from "../api/errors";
import type { FanOutItem, LegResult, Margin, OrderAck, OrderType, Side, Validity, Variety } from "../api/types";
import { Choice } from "../components/Choice";
import { ErrorNote } from "../components/ErrorNote";
import { useBrokers } from "../lib/brokers";
import { clientOptions } from "../lib/clients";
import { formatAmount, formatQuantity } from "../lib/format";
import {
  aboveFreeze, defaultProduct, ORDER_TYPES, sliceQuantities, orderProblems, orderRequest, orderValue, needsPrice, needsTrigger, productsFor,
  tradesInLots, type OrderForm, type Problems,
} from "../lib/orderRules";
import { useLoad } from "../lib/useLoad";
import { useSession } from "../session/SessionContext";
import { useAccounts } from "../shell/AccountsContext";
import { useQuote, useSubscription } from "../stream/StreamContext";
import type { TicketRequest } from "./TicketContext";

const THRESHOLD_KEY = "brokerplex.confirmAbove";
const DEFAULT_THRESHOLD = "500000";

function freshForm(request: TicketRequest): OrderForm {
  const { instrument } = request;
  return {
    symbol: instrument.symbol, side: request.side, quantity: String(request.quantity ?? instrument.lot_size),
    orderType: request.price ? "LIMIT" : "MARKET", product: defaultProduct(instrument.symbol), price: request.price ?? "",
    triggerPrice: "", validity: "DAY", variety: "regular", disclosedQuantity: "", target: "", stopLoss: "",
  };
}

type Outcome = { kind: "ack"; ack: OrderAck } | { kind: "fanOut"; items: FanOutItem[] } | { kind: "slices"; legs: LegResult[] };

export function OrderTicket({ request, opened, onClose }: { request: TicketRequest & { serial: number }; opened: boolean; onClose: () => void }) {
  const { instrument } = request;
  const { current: account, list } = useAccounts();
  const [form, setForm] = useState<OrderForm>(() => freshForm(request));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [serverError, setServerError] = useState<ApiError | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [clients, setClients] = useState<string[]>([]);
  const [alsoAccounts, setAlsoAccounts] = useState<string[]>([]);
  const [threshold, setThreshold] = useState(() => localStorage.getItem(THRESHOLD_KEY) ?? DEFAULT_THRESHOLD);
  const [slicing, setSlicing] = useState(false);
  useEffect(() => {
    setForm(freshForm(request));
    setOutcome(null);
    setServerError(null);
    setConfirming(false);
  }, [request]);

  useSubscription(account, [instrument.symbol], "quote");
  const quote = useQuote(account, instrument.symbol);
  const brokers = useBrokers();
  const brokerName = list.data?.find((row) => row.account === account)?.broker;
  const capabilities = brokers.data?.find((broker) => broker.name === brokerName)?.capabilities;
  const dealerClients = useLoad(
    account && capabilities?.dealer
      ? () => unwrap(api.GET("/api/v1/accounts/{account}/clients", { params: { path: { account } } }))
      : null,
    `${account}|${capabilities?.dealer}`);

  const canSlice = aboveFreeze(Number(form.quantity) || 0, instrument) && !alsoAccounts.length && clients.length <= 1;
  const sliced = slicing && canSlice;
  const problems: Problems = useMemo(() => orderProblems(form, instrument, sliced), [form, instrument, sliced]);
  const valid = Object.keys(problems).length === 0;
  const lots = tradesInLots(instrument);
  const value = orderValue(form, quote?.last_price ?? null);
  const overThreshold = value !== null && Number(value) > Number(threshold || "0");

  // The margin the order would block, asked again (quietly) whenever a valid form settles for a moment.
  const [margin, setMargin] = useState<{ margins?: Margin[]; error?: ApiError } | null>(null);
  const { expired } = useSession(); // asked again once the user signs back in
  useEffect(() => {
    if (!valid || !account || !opened || expired) {
      setMargin(null);
      return;
    }
    let live = true;
    setMargin(null); // never a stale figure: "—" until the changed order's margin is known
    const timer = setTimeout(() => {
      unwrap(api.POST("/api/v1/accounts/{account}/margins", {
        params: { path: { account }, query: clients.length === 1 ? { client: clients[0] } : {} },
        // A sliced order's margin is its slices' (the whole would be refused above the freeze quantity).
        body: (sliced ? sliceQuantities(Number(form.quantity), instrument) : [Number(form.quantity)])
          .map((quantity) => ({ ...orderRequest(form), quantity })),
      })).then((margins) => live && setMargin({ margins }))
        .catch((thrown: unknown) => live && setMargin({ error: asApiError(thrown) }));
    }, 300);
    return () => { live = false; clearTimeout(timer); };
  }, [valid, account, opened, form, clients, expired, sliced, instrument]);

  const change = <K extends keyof OrderForm>(key: K, next: OrderForm[K]) => {
    setForm((previous) => ({ ...previous, [key]: next }));
    setServerError(null);
    setConfirming(false);
  };

  async function send() {
    if (!account) return;
    setBusy(true);
    setServerError(null);
    try {
      const order = orderRequest(form);
      if (sliced) {
        const legs = await unwrap(api.POST("/api/v1/accounts/{account}/slice", {
          params: { path: { account }, query: clients.length === 1 ? { client: clients[0] } : {} }, body: order,
        }));
        setOutcome({ kind: "slices", legs });
      } else if (clients.length > 1 || alsoAccounts.length) {
        const body = clients.length > 1 ? { order, accounts: [account], clients } : { order, accounts: [account, ...alsoAccounts] };
        const items = await unwrap(api.POST("/api/v1/fan-out", { body }));
        setOutcome({ kind: "fanOut", items });
      } else {
        const ack = await unwrap(api.POST("/api/v1/accounts/{account}/orders", {
          params: { path: { account }, query: clients.length === 1 ? { client: clients[0] } : {} }, body: order,
        }));
        setOutcome({ kind: "ack", ack });
      }
      setConfirming(false);
    } catch (thrown) {
      setServerError(asApiError(thrown));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!valid || busy) return;
    if (overThreshold && !confirming) {
      setConfirming(true);
      return;
    }
    void send();
  }

  const sideWord = form.side === "BUY" ? "buy" : "sell";
  const otherAccounts = (list.data ?? []).map((row) => row.account).filter((name) => name !== account);
  const lotCount = Number(form.quantity) / instrument.lot_size;

  return (
    <Drawer opened={opened} onClose={onClose} position="right" size="md" keepMounted withOverlay={false}
      lockScroll={false} title={`Order ticket: ${instrument.symbol}`} closeButtonProps={{ "aria-label": "Close order ticket" }}
      styles={{ content: { maxWidth: "100vw" } }}>
      <form onSubmit={submit} aria-label="Order ticket">
        <Stack gap="sm">
          <Group justify="space-between">
            <Text size="sm">{instrument.name || instrument.tradingsymbol} · {account ?? "no account"}</Text>
            <Text size="sm" className="num" aria-label="Last price">LTP {formatAmount(quote?.last_price)}</Text>
          </Group>
          <ErrorNote error={problems.symbol} />
          <Group gap="xl" align="flex-start">
            <Choice label="Side" value={form.side} options={["BUY", "SELL"] as const} labels={{ BUY: "Buy", SELL: "Sell" }}
              onChange={(side: Side) => change("side", side)} />
            <Choice label="Order type" value={form.orderType} onChange={(type: OrderType) => change("orderType", type)}
              options={ORDER_TYPES.filter((type) => !capabilities || capabilities.order_types.includes(type))} />
          </Group>
          <Group grow align="flex-start">
            {lots ? (
              <TextInput label="Lots" inputMode="numeric" value={Number.isInteger(lotCount) ? String(lotCount) : ""}
                description={`${formatQuantity(Number(form.quantity) || 0)} units (lot ${instrument.lot_size})`}
                onChange={(event) => change("quantity", String((Number(event.currentTarget.value) || 0) * instrument.lot_size))}
                error={problems.quantity} />
            ) : (
              <TextInput label="Quantity" inputMode="numeric" value={form.quantity}
                onChange={(event) => change("quantity", event.currentTarget.value)} error={problems.quantity} />
            )}
            <TextInput label="Price" inputMode="decimal" value={needsPrice(form.orderType) ? form.price : ""}
              disabled={!needsPrice(form.orderType)} placeholder={needsPrice(form.orderType) ? `tick ${instrument.tick_size}` : "at market"}
              onChange={(event) => change("price", event.currentTarget.value)} error={problems.price} />
          </Group>
          {needsTrigger(form.orderType, form.variety) && (
            <TextInput label="Trigger price" inputMode="decimal" value={form.triggerPrice}
              onChange={(event) => change("triggerPrice", event.currentTarget.value)} error={problems.triggerPrice} />
          )}
          <Group grow>
            <Select label="Product" data={productsFor(instrument.symbol)} value={form.product} allowDeselect={false}
              onChange={(product) => product && change("product", product as OrderForm["product"])} error={problems.product} />
            <Select label="Validity" data={capabilities?.validities ?? ["DAY", "IOC"]} value={form.validity} allowDeselect={false}
              onChange={(validity) => validity && change("validity", validity as Validity)} error={problems.validity} />
            <Select label="Variety" data={capabilities?.varieties ?? ["regular"]} value={form.variety} allowDeselect={false}
              onChange={(variety) => variety && change("variety", variety as Variety)} />
          </Group>
          {form.variety === "bo" && (
            <Group grow>
              <TextInput label="Target (points)" value={form.target} onChange={(event) => change("target", event.currentTarget.value)}
                error={problems.target} />
              <TextInput label="Stop loss (points)" value={form.stopLoss} onChange={(event) => change("stopLoss", event.currentTarget.value)} />
            </Group>
          )}
          {canSlice && (
            <Checkbox label={`Send as slices of at most ${formatQuantity(instrument.freeze_quantity ?? 0)} (the freeze quantity)`}
              checked={slicing} onChange={(event) => setSlicing(event.currentTarget.checked)} />
          )}
          <TextInput label="Disclosed quantity" inputMode="numeric" value={form.disclosedQuantity} placeholder="0"
            onChange={(event) => change("disclosedQuantity", event.currentTarget.value)} error={problems.disclosedQuantity} />
          {capabilities?.dealer && (
            <MultiSelect label="Clients" placeholder="the account's default client" data={clientOptions(dealerClients.data ?? [])}
              value={clients} onChange={setClients} searchable clearable
              description={clients.length > 1 ? `fan-out: one order for each of ${clients.length} clients` : undefined} />
          )}
          {!clients.length && otherAccounts.length > 0 && (
            <MultiSelect label="Also send to accounts" data={otherAccounts} value={alsoAccounts} onChange={setAlsoAccounts} searchable
              clearable description={alsoAccounts.length ? `fan-out: ${alsoAccounts.length + 1} accounts` : undefined} />
          )}
          <Group justify="space-between" gap="xs">
            <Text size="sm">Value <span className="num" aria-label="Order value">{value ? formatAmount(value) : "—"}</span></Text>
            <Text size="sm" role="status" aria-label="Required margin">
              Margin {margin?.margins ? formatAmount(margin.margins.reduce((sum, m) => sum + Number(m.total), 0)) : margin?.error ? "unavailable" : "—"}
              {margin?.margins?.[0]?.charges ? ` · charges ${formatAmount(margin.margins[0].charges)}` : ""}
            </Text>
          </Group>
          {margin?.error && <Text size="xs" c="dimmed">{margin.error.message}</Text>}
          <TextInput label="Confirm orders worth more than" inputMode="numeric" size="xs" value={threshold}
            onChange={(event) => { setThreshold(event.currentTarget.value); localStorage.setItem(THRESHOLD_KEY, event.currentTarget.value); }} />
          <ErrorNote error={serverError} />
          {confirming && (
            <Alert color="yellow" role="alertdialog" title="Confirm a large order">
              <Text size="sm">{form.side} {formatQuantity(Number(form.quantity))} {instrument.symbol} worth {formatAmount(value)}?</Text>
              <Group mt="xs">
                <Button size="xs" color={form.side === "BUY" ? "blue.8" : "orange.9"} onClick={() => void send()} loading={busy}>Confirm order</Button>
                <Button size="xs" variant="default" onClick={() => setConfirming(false)}>Back</Button>
              </Group>
            </Alert>
          )}
          <Button type="submit" color={form.side === "BUY" ? "blue.8" : "orange.9"} disabled={!valid || !account} loading={busy && !confirming}>
            {`Place ${sideWord} order`}
          </Button>
          {outcome && <OutcomeNote outcome={outcome} />}
          <Text size="xs" c="dimmed">Keys: B or F1 buy, S or F2 sell the selected symbol; Enter sends.</Text>
        </Stack>
      </form>
    </Drawer>
  );
}

function OutcomeNote({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === "slices") {
    return (
      <Alert color="teal" role="status" title="Slices sent" p="xs">
        <Stack gap={2}>
          {outcome.legs.map((leg, index) => (
            <Text size="sm" key={index} c={leg.outcome === "done" ? undefined : "red"}>
              {index + 1}. {leg.outcome}{leg.order_id ? `: order ${leg.order_id}` : ""}{leg.message ? ` (${leg.message})` : ""}
            </Text>
          ))}
        </Stack>
      </Alert>
    );
  }
  if (outcome.kind === "ack") {
    return (
      <Alert color="teal" role="status" title="Order sent" p="xs">
        <Text size="sm">Order {outcome.ack.order_id}{outcome.ack.status ? `: ${outcome.ack.status}` : ""}</Text>
        {outcome.ack.status_message && <Text size="xs">{outcome.ack.status_message}</Text>}
      </Alert>
    );
  }
  return (
    <Alert color="teal" role="status" title="Fan-out sent" p="xs">
      <Stack gap={2}>
        {outcome.items.map((item) => (
          <Text size="sm" key={`${item.account}|${item.client ?? ""}`} c={item.error ? "red" : undefined}>
            {item.account}{item.client ? ` / ${item.client}` : ""}: {item.ack ? `order ${item.ack.order_id}` : `${item.error?.type}: ${item.error?.message}`}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}
