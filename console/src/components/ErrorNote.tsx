import { Alert, Text } from "@mantine/core";
import type { ApiError } from "../api/errors";

/** A server's (or the form's) error, shown where the action was taken. */
export function ErrorNote({ error, title }: { error: ApiError | string | null | undefined; title?: string }) {
  if (!error) return null;
  if (typeof error === "string") {
    return <Alert color="red" role="alert" p="xs"><Text size="sm">{error}</Text></Alert>;
  }
  const heading = title ?? (error.outcomeKnown ? error.type : `${error.type}: the outcome is not known`);
  return (
    <Alert color={error.outcomeKnown ? "red" : "yellow"} role="alert" title={heading} p="xs">
      <Text size="sm">{error.message}</Text>
      {error.brokerCode && <Text size="xs" c="dimmed">broker code {error.brokerCode}</Text>}
      {!error.outcomeKnown && <Text size="xs">Reconcile the account before sending it again.</Text>}
    </Alert>
  );
}
