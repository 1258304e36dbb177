import { Alert, Button, Group, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { asApiError, type ApiError } from "../../api/errors";
import { ErrorNote } from "../../components/ErrorNote";
import { formatIstDateTime } from "../../lib/format";
import { useLoad } from "../../lib/useLoad";

/** The account's kill switch: halt (every new order refused until resumed; exits still pass), resume. */
export function KillSwitch({ account, canTrade }: { account: string; canTrade: boolean }) {
  const limits = useLoad(() => unwrap(api.GET("/api/v1/accounts/{account}/limits", { params: { path: { account } } })), `limits|${account}`);
  const [reason, setReason] = useState("");
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const halted = limits.data?.halted;

  async function act(work: () => Promise<unknown>) {
    setError(null);
    try {
      await work();
      setAsking(false);
      limits.reload();
    } catch (thrown) {
      setError(asApiError(thrown));
    }
  }
  const path = { params: { path: { account } } };
  const halt = () => act(() => unwrap(api.POST("/api/v1/accounts/{account}/halt", {
    ...path, body: { reason: reason.trim() || "halted from the console", exit_all: false } })));
  const resume = () => act(() => unwrap(api.POST("/api/v1/accounts/{account}/resume", path)));

  if (halted) {
    return (
      <Alert color="red" role="alert" title={`${account} is halted: new orders are refused`} p="xs">
        <Text size="sm">{halted.reason} (since {formatIstDateTime(halted.at)}). Exits still pass.</Text>
        {canTrade && <Button size="xs" mt="xs" color="teal.9" onClick={() => void resume()}>Resume trading</Button>}
        <ErrorNote error={error} />
      </Alert>
    );
  }
  if (!canTrade) return null;
  return (
    <>
      {asking ? (
        <Group gap="xs" align="flex-end">
          <TextInput size="xs" label="Why halt" placeholder="halted from the console" value={reason} onChange={(event) => setReason(event.currentTarget.value)} />
          <Button size="xs" color="red.9" onClick={() => void halt()}>Halt {account}</Button>
          <Button size="xs" variant="default" onClick={() => setAsking(false)}>Keep trading</Button>
        </Group>
      ) : (
        <Button size="xs" color="red.9" w="fit-content" onClick={() => setAsking(true)}>Halt trading…</Button>
      )}
      <ErrorNote error={error} />
    </>
  );
}
