import { MantineProvider } from "@mantine/core";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { StreamClient } from "../stream/StreamClient";
import { StreamProvider } from "../stream/StreamContext";
import { StreamErrors } from "./StreamErrors";

class ServerSide {
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  send() {}
  close() { this.readyState = 3; }
}

describe("the stream's refusals", () => {
  it("are shown in the server's words until dismissed", () => {
    const socket = new ServerSide();
    const client = new StreamClient({ url: "ws://console.test/api/v1/stream", makeSocket: () => socket as unknown as WebSocket,
      scheduleFrame: (flush) => flush(), setTimer: () => undefined });
    render(<MantineProvider><StreamProvider client={client}><StreamErrors /></StreamProvider></MantineProvider>);
    act(() => {
      socket.readyState = 1;
      socket.onopen?.();
      socket.onmessage?.({ data: JSON.stringify({ type: "error", error: {
        type: "SymbolError", message: "NSE:NOPE is not listed on the paper exchange", broker_code: null, outcome_known: true } }) });
    });
    expect(screen.getByRole("alert").textContent).toContain("NSE:NOPE is not listed on the paper exchange");
    fireEvent.click(screen.getByRole("button", { name: "Dismiss the stream's error" }));
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
