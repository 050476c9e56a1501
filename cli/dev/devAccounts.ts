import { pbkdf2Sync } from "node:crypto";
import type { HDAccount } from "viem/accounts";
import { HDKey, hdKeyToAccount } from "viem/accounts";
import { toHex0x } from "../../core/bytes";

/**
 * The roles of the local stack, played by Hardhat's public development accounts (mnemonic
 * "test test … junk", funded on every fresh Hardhat node and worthless anywhere else):
 *   #0 governance and deployer   #1-#3 the maintainers Alice, Bob and Carol
 *   #4 the KMS operator's account that pays gas for log anchoring
 * Anchoring has its own account so its transactions never race governance's nonces.
 */
export const HARDHAT_DEV_MNEMONIC = "test test test test test test test test test test test junk";

export const DEV_ROLES = {
  governance: 0,
  maintainers: [
    { name: "Alice", index: 1, keyVariable: "ALICE_KEY" },
    { name: "Bob", index: 2, keyVariable: "BOB_KEY" },
    { name: "Carol", index: 3, keyVariable: "CAROL_KEY" },
  ],
  anchorSubmitter: 4,
} as const;

export type DevMaintainer = (typeof DEV_ROLES.maintainers)[number];

/** BIP-39 seed of the mnemonic (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic"), computed once. */
let masterKey: HDKey | undefined;
function master(): HDKey {
  masterKey ??= HDKey.fromMasterSeed(new Uint8Array(pbkdf2Sync(HARDHAT_DEV_MNEMONIC.normalize("NFKD"), "mnemonic", 2048, 64, "sha512")));
  return masterKey;
}

/** Account m/44'/60'/0'/0/index of the Hardhat mnemonic. */
export function devAccount(index: number): HDAccount {
  return hdKeyToAccount(master(), { addressIndex: index });
}

/** Its private key as hex: only for the sandbox's own configuration and the 0600 maintainers.env. */
export function devPrivateKey(index: number): `0x${string}` {
  const key = devAccount(index).getHdKey().privateKey;
  if (!key) throw new Error(`no private key for dev account ${index}`);
  return toHex0x(key);
}
