import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { beforeAll, describe, expect, it, vi } from "vitest";

// The API client takes fetch when it is made (at import): the fake is in place before the modules load.
const calls: { method: string; path: string; body: unknown }[] = [];
const fakeFetch = vi.hoisted(() => vi.fn());
vi.stubGlobal("fetch", fakeFetch);

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const refusal = (type: string, message: string) => ({ error: { type, message, broker_code: null, outcome_known: true } });

beforeAll(() => {
  fakeFetch.mockImplementation(async (request: Request) => {
    const path = new URL(request.url).pathname;
    const body = request.method === "POST" ? await request.json() : undefined;
    calls.push({ method: request.method, path, body });
    if (request.method === "GET") return json(401, refusal("AuthenticationError", "sign in"));
    const given = body as { password: string; totp?: string };
    if (given.password !== "right") return json(401, refusal("AuthenticationError", "wrong user name or password"));
    if (!given.totp) return json(401, refusal("TotpRequired", "give the code of your authenticator app"));
    return json(200, { user: "ravi", role: "trader", accounts: ["p1"], csrf_token: "t" });
  });
});

describe("sign-in", () => {
  it("shows the server's refusal in place, then asks the TOTP code when the user has one", async () => {
    const { SessionProvider, useSession } = await import("./SessionContext");
    const { SignInForm } = await import("./SignIn");
    function Who() {
      const { view } = useSession();
      return <p>{view ? `signed in as ${view.user}` : "nobody"}</p>;
    }
    render(<MantineProvider><SessionProvider><SignInForm /><Who /></SessionProvider></MantineProvider>);
    fireEvent.change(screen.getByRole("textbox", { name: "User name" }), { target: { value: "ravi" } });
    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: "wrong" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("wrong user name or password")).toBeTruthy();

    fireEvent.change(screen.getByLabelText(/^Password/), { target: { value: "right" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    const code = await screen.findByRole("textbox", { name: "TOTP code" });
    fireEvent.change(code, { target: { value: "123456" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(screen.getByText("signed in as ravi")).toBeTruthy());
    expect(calls.filter((call) => call.method === "POST").map((call) => call.body)).toEqual([
      { name: "ravi", password: "wrong" }, { name: "ravi", password: "right" },
      { name: "ravi", password: "right", totp: "123456" },
    ]);
  });
});
