import { UsageError } from "../errors";

/**
 * Small readers for environment variables. Each failure names the variable, so a bad
 * config fails at start-up with a message a person can act on.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export function envString(env: Env, name: string, fallback?: string): string {
  const value = env[name];
  if (value !== undefined && value !== "") return value;
  if (fallback !== undefined) return fallback;
  throw new UsageError("CONFIG_INVALID", `${name} is required`);
}

export function envOptional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

export function envInteger(env: Env, name: string, fallback: number, bounds: { min?: number; max?: number } = {}): number {
  const raw = envOptional(env, name);
  if (raw === undefined) return fallback;
  return parseIntegerSetting(name, raw, bounds);
}

export function parseIntegerSetting(name: string, raw: string, bounds: { min?: number; max?: number } = {}): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError("CONFIG_INVALID", `${name} must be a non-negative integer, got "${raw}"`);
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value)) throw new UsageError("CONFIG_INVALID", `${name} is too large`);
  if (bounds.min !== undefined && value < bounds.min) throw new UsageError("CONFIG_INVALID", `${name} must be at least ${bounds.min}`);
  if (bounds.max !== undefined && value > bounds.max) throw new UsageError("CONFIG_INVALID", `${name} must be at most ${bounds.max}`);
  return value;
}

export function parseAddressSetting(name: string, raw: string): `0x${string}` {
  if (!/^0x[0-9a-fA-F]{40}$/.test(raw)) throw new UsageError("CONFIG_INVALID", `${name} must be a 0x-prefixed 20-byte address`);
  return raw as `0x${string}`;
}

export function parsePrivateKeySetting(name: string, raw: string): `0x${string}` {
  const body = raw.startsWith("0x") ? raw.slice(2) : raw;
  // Never echo the value: it is a secret.
  if (!/^[0-9a-fA-F]{64}$/.test(body)) throw new UsageError("CONFIG_INVALID", `${name} must hold a 32-byte hex private key`);
  return `0x${body}`;
}

export function parseUrlSetting(name: string, raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    return url.toString().replace(/\/$/, "");
  } catch {
    throw new UsageError("CONFIG_INVALID", `${name} must be an http(s) URL, got "${raw}"`);
  }
}
