import { useCallback, useEffect, useRef, useState } from "react";
import { asApiError, type ApiError } from "../api/errors";

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** The answer of `load` (again whenever `key` changes, or on reload); a later answer replaces an earlier. */
export function useLoad<T>(load: (() => Promise<T>) | null, key: string): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [round, setRound] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const current = loadRef.current;
    if (!current) return;
    let live = true;
    setLoading(true);
    current()
      .then((value) => { if (live) { setData(value); setError(null); } })
      .catch((thrown: unknown) => { if (live) setError(asApiError(thrown)); })
      .finally(() => { if (live) setLoading(false); });
    return () => { live = false; };
  }, [key, round]);

  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { data, error, loading, reload };
}
