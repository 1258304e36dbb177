import { Badge, Tooltip } from "@mantine/core";
import type { FeedStateName } from "../stream/events";
import { useConnectionState, useFeedState } from "../stream/StreamContext";
import { useReadable } from "./AccountsContext";

const COLORS: Record<FeedStateName | "unknown" | "offline", string> = { // shades that read well as filled badges
  live: "teal.9", connecting: "gray.7", reconnecting: "yellow.4", stale: "orange.9", login_needed: "red.9", closed: "gray.7",
  unknown: "gray.7", offline: "red.9",
};
const WORDS: Record<FeedStateName | "unknown" | "offline", string> = {
  live: "live", connecting: "connecting", reconnecting: "reconnecting", stale: "stale", login_needed: "login needed",
  closed: "closed", unknown: "no feed yet", offline: "console offline",
};

/** An account's feed state as the stream last said it, and the console's own link to the server. */
export function FeedBadge({ account }: { account: string }) {
  const feed = useFeedState(account);
  const connection = useConnectionState();
  const readable = useReadable(account);
  const key = !readable ? "login_needed" : connection === "open" ? (feed?.state ?? "unknown") : "offline";
  const detail = connection !== "open" ? `the console's stream is ${connection}` : feed?.reason ?? WORDS[key];
  return (
    <Tooltip label={detail}>
      <Badge color={COLORS[key]} variant="filled" role="status" aria-label={`Feed of ${account}: ${WORDS[key]}`} maw={150}>
        {WORDS[key]}
      </Badge>
    </Tooltip>
  );
}
