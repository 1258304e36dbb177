import { Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { useEffect, useState, type FormEvent } from "react";
import { asApiError, type ApiError } from "../api/errors";
import { ErrorNote } from "../components/ErrorNote";
import { markPaintedOnce } from "../lib/perf";
import { useSession } from "./SessionContext";

export function SignInForm({ defaultName = "" }: { defaultName?: string }) {
  const { signIn } = useSession();
  const [name, setName] = useState(defaultName);
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [totpNeeded, setTotpNeeded] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn({ name, password, ...(totpNeeded ? { totp } : {}) });
    } catch (thrown) {
      const failure = asApiError(thrown);
      if (failure.type === "TotpRequired") setTotpNeeded(true);
      else setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="Sign in">
      <Stack>
        <TextInput label="User name" autoComplete="username" required value={name}
          onChange={(event) => setName(event.currentTarget.value)} data-autofocus={!defaultName || undefined} />
        <PasswordInput label="Password" autoComplete="current-password" required value={password}
          onChange={(event) => setPassword(event.currentTarget.value)} data-autofocus={defaultName ? true : undefined} />
        {totpNeeded && (
          <TextInput label="TOTP code" inputMode="numeric" autoComplete="one-time-code" required value={totp}
            onChange={(event) => setTotp(event.currentTarget.value)} />
        )}
        <ErrorNote error={error} />
        <Button type="submit" loading={busy}>Sign in</Button>
      </Stack>
    </form>
  );
}

export function SignInPage() {
  useEffect(() => markPaintedOnce("console:interactive"), []);
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={360} maw="100%">
        <Title order={1} size="h3" mb="md">brokerplex</Title>
        <SignInForm />
      </Paper>
    </Center>
  );
}
