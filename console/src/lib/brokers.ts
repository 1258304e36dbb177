// The installed brokers (GET /brokers), loaded once: what each can do and the settings an account takes.
import { api, unwrap } from "../api/client";
import { useLoad } from "./useLoad";

/** One setting an account of the broker takes (the plugin's settings model, by name). */
export interface SettingField {
  required: boolean;
  /** Write-only: asked as a password, never shown again. */
  secret: boolean;
  default: unknown;
  help?: string;
}

export interface Capabilities {
  exchanges: string[];
  order_types: string[];
  products: string[];
  varieties: string[];
  validities: string[];
  streaming: string[];
  interactive_login: boolean;
  dealer: boolean;
  operations: string[];
  [more: string]: unknown;
}

export interface Broker {
  name: string;
  title: string;
  version: string;
  capabilities: Capabilities;
  settings: Record<string, SettingField>;
}

let pending: Promise<Broker[]> | null = null;

export function loadBrokers(): Promise<Broker[]> {
  pending ??= unwrap(api.GET("/api/v1/brokers")).then((list) => list as unknown as Broker[]);
  pending.catch(() => { pending = null; });
  return pending;
}

export function useBrokers() {
  return useLoad(loadBrokers, "brokers");
}
