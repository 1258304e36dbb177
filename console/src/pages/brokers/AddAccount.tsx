import { Button, Checkbox, Group, PasswordInput, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { asApiError, type ApiError } from "../../api/errors";
import { ErrorNote } from "../../components/ErrorNote";
import type { Broker, SettingField } from "../../lib/brokers";

type Value = string | boolean;

/** The label of a setting: its name in words ("api_secret" → "Api secret"). */
export function settingLabel(name: string): string {
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** What the form sends: only what was given (a blank keeps the plugin's default); never a default back. */
export function settingsToSend(fields: Record<string, SettingField>, values: Record<string, Value>): Record<string, Value> {
  const sent: Record<string, Value> = {};
  for (const [name, field] of Object.entries(fields)) {
    const value = values[name];
    if (value === undefined) continue;
    if (typeof field.default === "boolean") {
      if (value !== field.default) sent[name] = value;
    } else if (typeof value === "string" && value.trim() !== "") sent[name] = value.trim();
  }
  return sent;
}

/** Activate an account: the form is made from the broker plugin's settings schema; secrets are password
 * fields, sent once and never shown again (the server masks them wherever an account is listed). */
export function AddAccount({ brokers, onAdded }: { brokers: Broker[]; onAdded: (account: string) => void }) {
  const [brokerName, setBrokerName] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [values, setValues] = useState<Record<string, Value>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const broker = brokers.find((known) => known.name === brokerName);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!broker) return;
    setBusy(true);
    setError(null);
    try {
      const added = await unwrap(api.POST("/api/v1/accounts", {
        body: { name: name.trim(), broker: broker.name, settings: settingsToSend(broker.settings, values), replace: false },
      }));
      setValues({});
      setName("");
      onAdded(added.account);
    } catch (thrown) {
      setError(asApiError(thrown));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="Add an account">
      <Stack gap="xs" maw={520}>
        <Title order={3} size="h5">Add an account</Title>
        <Group grow>
          <Select label="Broker" data={brokers.map((known) => ({ value: known.name, label: `${known.title} (${known.name})` }))}
            value={brokerName} onChange={(value) => { setBrokerName(value); setValues({}); }} required />
          <TextInput label="Account name" value={name} onChange={(event) => setName(event.currentTarget.value)} required />
        </Group>
        {broker && Object.entries(broker.settings).map(([field, spec]) => {
          const label = settingLabel(field);
          const description = spec.help;
          if (typeof spec.default === "boolean") {
            const checked = (values[field] ?? spec.default) as boolean;
            return <Checkbox key={field} label={label} description={description} checked={checked}
              onChange={(event) => setValues({ ...values, [field]: event.currentTarget.checked })} />;
          }
          const common = {
            label, description, required: spec.required, value: (values[field] as string | undefined) ?? "",
            placeholder: spec.default == null ? undefined : String(spec.default),
            onChange: (event: { currentTarget: HTMLInputElement }) => setValues({ ...values, [field]: event.currentTarget.value }),
          };
          return spec.secret ? <PasswordInput key={field} {...common} autoComplete="new-password" /> : <TextInput key={field} {...common} />;
        })}
        {broker && <Text size="xs" c="dimmed">Secret settings are write-only: sent once, never shown again.</Text>}
        <ErrorNote error={error} />
        <Button type="submit" disabled={!broker || !name.trim()} loading={busy} w="fit-content">Add account</Button>
      </Stack>
    </form>
  );
}
