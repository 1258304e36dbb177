import { Alert, Text } from "@mantine/core";
import { useCallback, useState } from "react";
import type { ErrorDetail } from "../api/types";
import type { StreamEvent } from "../stream/events";
import { useStreamEvents } from "../stream/StreamContext";

/** What the stream refused (a symbol not listed, an account that may not be read, a feed that ended), in
 * the server's words, until dismissed: a subscription that failed is never silent. */
export function StreamErrors() {
  const [error, setError] = useState<ErrorDetail | null>(null);
  const onEvent = useCallback((event: StreamEvent) => {
    if (event.type === "error") setError(event.error);
  }, []);
  useStreamEvents(onEvent);
  if (!error) return null;
  return (
    <Alert color="red" role="alert" mb="sm" p="xs" title={`The live stream refused: ${error.type}`} withCloseButton
      closeButtonLabel="Dismiss the stream's error" onClose={() => setError(null)}>
      <Text size="sm">{error.message}</Text>
    </Alert>
  );
}
