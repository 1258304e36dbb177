// Who is signed in. A 401 on any call after sign-in means the session ended: `expired` turns true and the
// shell shows sign-in over the page, leaving the page (and a half-typed order) mounted underneath.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { api, dropPendingReads, onSessionExpired, setCsrfToken, unwrap } from "../api/client";
import { ApiError, asApiError } from "../api/errors";
import type { SessionView } from "../api/types";

export interface SignInInput {
  name: string;
  password: string;
  totp?: string;
}

interface Session {
  /** undefined while the first GET /session is under way; null when nobody is signed in. */
  view: SessionView | null | undefined;
  expired: boolean;
  signIn(input: SignInInput): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [view, setView] = useState<SessionView | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    let current = true;
    unwrap(api.GET("/api/v1/session"))
      .then((found) => {
        if (!current) return;
        setCsrfToken(found.csrf_token);
        setView(found);
      })
      .catch(() => current && setView(null)); // 401: nobody signed in (the cookie is HttpOnly: only the server knows)
    return () => {
      current = false;
    };
  }, []);

  useEffect(() => onSessionExpired(() => setExpired(true)), []);

  const signIn = useCallback(async (input: SignInInput) => {
    const found = await unwrap(api.POST("/api/v1/session", { body: input }));
    setCsrfToken(found.csrf_token);
    setView(found);
    setExpired(false);
  }, []);

  const signOut = useCallback(async () => {
    dropPendingReads();
    try {
      await unwrap(api.DELETE("/api/v1/session"));
    } catch (error) {
      const failure = asApiError(error);
      if (!(failure instanceof ApiError) || failure.status !== 401) throw failure;
    }
    setCsrfToken(null);
    setView(null);
    setExpired(false);
  }, []);

  return <SessionContext.Provider value={{ view, expired, signIn, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

/** The signed-in user (views under the signed-in shell only). */
export function useUser(): SessionView {
  const { view } = useSession();
  if (!view) throw new Error("useUser with nobody signed in");
  return view;
}

export const canTrade = (user: SessionView): boolean => user.role !== "viewer";
export const isAdmin = (user: SessionView): boolean => user.role === "admin";
