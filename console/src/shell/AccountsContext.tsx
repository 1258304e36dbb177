// The accounts the user may read, and the one the desk is working on (kept across reloads).
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { api, unwrap } from "../api/client";
import type { Account } from "../api/types";
import { useLoad, type Loaded } from "../lib/useLoad";

interface Accounts {
  list: Loaded<Account[]>;
  current: string | null;
  choose(account: string): void;
}

const AccountsContext = createContext<Accounts | null>(null);
const STORAGE_KEY = "brokerplex.account";

export function AccountsProvider({ children }: { children: ReactNode }) {
  const list = useLoad(() => unwrap(api.GET("/api/v1/accounts")), "accounts");
  const [current, setCurrent] = useState<string | null>(() => localStorage.getItem(STORAGE_KEY));
  const names = list.data?.map((account) => account.account) ?? [];
  const usable = current !== null && names.includes(current);
  useEffect(() => {
    if (list.data && !usable) setCurrent(list.data[0]?.account ?? null);
  }, [list.data, usable]);
  const choose = (account: string) => {
    localStorage.setItem(STORAGE_KEY, account);
    setCurrent(account);
  };
  return (
    <AccountsContext.Provider value={{ list, current: usable ? current : null, choose }}>
      {children}
    </AccountsContext.Provider>
  );
}

/** Whether the account's books and stream can be read now (an account that must log in again cannot: asking
 * would only be refused). */
export function useReadable(account: string | null): boolean {
  const { list } = useAccounts();
  const session = list.data?.find((row) => row.account === account)?.session;
  return account !== null && (session == null || session.state === "live");
}

export function useAccounts(): Accounts {
  const accounts = useContext(AccountsContext);
  if (!accounts) throw new Error("useAccounts outside AccountsProvider");
  return accounts;
}
