import fs from "node:fs";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { toHex0x } from "../../core/bytes";
import { envOptional, parsePrivateKeySetting, type Env } from "../../core/config/env";
import { UsageError } from "../../core/errors";
import { decryptKeystore } from "./keystore";
import { MaintainerError } from "./errors";
import { promptPassword } from "./promptPassword";

/**
 * Where a maintainer's key comes from. Never argv: `--key-env` names an environment variable
 * that holds the hex key, and `--keystore` names a V3 keystore file whose password comes from
 * BASEKMS_KEYSTORE_PASSWORD or a prompt on the terminal. Keys and passwords are never printed,
 * not even in error messages.
 */
export interface KeySourceOptions {
  keyEnv?: string;
  keystore?: string;
}

export const KEYSTORE_PASSWORD_ENV = "BASEKMS_KEYSTORE_PASSWORD";

export interface LoadSignerAccountDependencies {
  env: Env;
  /** Asks for the keystore password when the environment has none (a TTY prompt in the CLI). */
  askPassword?: (question: string) => Promise<string>;
}

export function hasKeySource(options: KeySourceOptions): boolean {
  return options.keyEnv !== undefined || options.keystore !== undefined;
}

export async function loadSignerAccount(options: KeySourceOptions, dependencies: LoadSignerAccountDependencies): Promise<PrivateKeyAccount> {
  if (options.keyEnv !== undefined && options.keystore !== undefined) {
    throw new UsageError("USAGE", "give either --key-env or --keystore, not both");
  }
  if (options.keyEnv !== undefined) return accountFromPrivateKey(keyFromEnv(options.keyEnv, dependencies.env), options.keyEnv);
  if (options.keystore !== undefined) return accountFromKeystore(options.keystore, dependencies);
  throw new UsageError("USAGE", "this command needs a key: --key-env <VAR> (a variable holding a hex private key) or --keystore <file>");
}

function keyFromEnv(name: string, env: Env): `0x${string}` {
  // Someone who types the key itself where the variable's name belongs has already put it in
  // their shell history; say so, without echoing it.
  if (/^(0x)?[0-9a-fA-F]{64}$/.test(name)) {
    throw new UsageError("USAGE", "--key-env takes the NAME of an environment variable, but the value given looks like a private key; treat that key as leaked");
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError("USAGE", `--key-env must name an environment variable, got "${name}"`);
  const raw = envOptional(env, name);
  if (raw === undefined) throw new UsageError("CONFIG_INVALID", `environment variable ${name} (from --key-env) is not set`);
  return parsePrivateKeySetting(name, raw.trim());
}

async function accountFromKeystore(file: string, dependencies: LoadSignerAccountDependencies): Promise<PrivateKeyAccount> {
  let json: string;
  try {
    json = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError("CONFIG_INVALID", `cannot read keystore ${file}`, { cause: error });
  }
  const fromEnv = dependencies.env[KEYSTORE_PASSWORD_ENV];
  const password =
    fromEnv !== undefined
      ? fromEnv
      : await (dependencies.askPassword ?? ((question) => promptPassword(question)))(`Password for keystore ${file}: `);
  const { privateKey, address } = await decryptKeystore(json, password);
  let account: PrivateKeyAccount;
  try {
    account = accountFromPrivateKey(toHex0x(privateKey), `keystore ${file}`);
  } finally {
    privateKey.fill(0);
  }
  if (address && address !== account.address.toLowerCase()) {
    throw new MaintainerError("KEYSTORE_ADDRESS_MISMATCH", `keystore ${file} says it holds ${address}, but its key belongs to ${account.address}`);
  }
  return account;
}

/** The account of a key; a key outside the curve's range is refused without echoing it (no cause either). */
function accountFromPrivateKey(privateKey: `0x${string}`, source: string): PrivateKeyAccount {
  try {
    return privateKeyToAccount(privateKey);
  } catch {
    throw new UsageError("CONFIG_INVALID", `${source} does not hold a valid secp256k1 private key`);
  }
}
