import { Badge, Tooltip } from "@mantine/core";
import type { FeedStateName } from "../stream/events";
import { useConnectionState, useFeedState } from "../stream/StreamContext";

const COLORS: Record<FeedStateName | "unknown" | "offline", string> = {
  live: "teal", connecting: "gray", reconnecting: "yellow", stale: "orange", login_needed: "red", closed: "gray",
  unknown: "gray", offline: "red",
};
const WORDS: Record<FeedStateName | "unknown" | "offline", string> = {
  live: "live", connecting: "connecting", reconnecting: "reconnecting", stale: "stale", login_needed: "login needed",
  closed: "closed", unknown: "no data yet", offline: "console offline",
};

/** An account's feed state as the stream last said it, and the console's own link to the server. */
export function FeedBadge({ account }: { account: string }) {
  const feed = useFeedState(account);
  const connection = useConnectionState();
  const key = connection === "open" ? (feed?.state ?? "unknown") : "offline";
  const detail = connection !== "open" ? `the console's stream is ${connection}` : feed?.reason ?? WORDS[key];
  return (
    <Tooltip label={detail}>
      <Badge color={COLORS[key]} variant="light" role="status" aria-label={`Feed of ${account}: ${WORDS[key]}`} maw={150}>
        {WORDS[key]}
      </Badge>
    </Tooltip>
  );
}
