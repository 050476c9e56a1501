import { TypedDataEncoder } from "ethers";
import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import { toHex0x } from "../../core/bytes";
import { releaseMetadataDigest, type ReleaseMetadata } from "../../core/release/metadata";
import { collectSignatures, type SourcedSignatureFile } from "../../scripts/maintainer/collectSignatures";
import { parseSignatureFile, serializeSignatureFile } from "../../scripts/maintainer/signatureFile";
import {
  SIGNATURE_FILE_FORMAT,
  ethSignTypedDataV4Of,
  requireKind,
  signingDigestOf,
  type AppFreezeSignatureRequest,
  type ReleaseSignatureRequest,
} from "../../scripts/maintainer/signatureRequest";
import { signSignatureRequest } from "../../scripts/maintainer/signSignatureRequest";
import { DEV_ACCOUNTS } from "./maintainerFixtures";

const METADATA: ReleaseMetadata = {
  sourceCommit: "1f2e3d4c5b6a79880716253443526170f9e8d7c6",
  imageDigests: [`sha256:${"ab".repeat(32)}`],
  releaseTag: "v1.0.0",
};
const RELEASE: ReleaseSignatureRequest = {
  format: SIGNATURE_FILE_FORMAT,
  kind: "Release",
  chainId: 8453,
  verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  appId: "0x12ab000000000000000000000000000000000034",
  composeHash: `0x${"c0".repeat(32)}`,
  metadata: METADATA,
  metadataDigest: toHex0x(releaseMetadataDigest(METADATA)),
  nonce: 0,
  deadline: 1767225600,
};
const FREEZE: AppFreezeSignatureRequest = {
  format: SIGNATURE_FILE_FORMAT,
  kind: "AppFreeze",
  chainId: 8453,
  verifyingContract: RELEASE.verifyingContract,
  appId: RELEASE.appId,
  configVersion: 1,
  deadline: 1767225600,
};

async function signedBy(index: number, request: ReleaseSignatureRequest | AppFreezeSignatureRequest = RELEASE): Promise<SourcedSignatureFile> {
  const account = DEV_ACCOUNTS[index];
  if (!account) throw new Error("no such dev account");
  return { file: await signSignatureRequest(account, request), source: `signer${index}.json` };
}

function refusalOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message };
  }
  throw new Error("expected a refusal");
}

describe("signature files", () => {
  it("round-trip through their JSON form, with the EIP-712 digest written alongside", async () => {
    const { file } = await signedBy(1);
    const text = serializeSignatureFile(file);
    expect(JSON.parse(text).signingDigest).toBe(signingDigestOf(RELEASE));
    expect(parseSignatureFile(text)).toEqual(file);
    const freeze = (await signedBy(2, FREEZE)).file;
    expect(parseSignatureFile(serializeSignatureFile(freeze))).toEqual(freeze);
  });

  it("refuses a file whose metadataDigest is not the digest of its metadata (SIGNATURE_FILE_INVALID)", async () => {
    const value = JSON.parse(serializeSignatureFile((await signedBy(1)).file)) as Record<string, unknown>;
    value.metadata = { ...METADATA, releaseTag: "v9.9.9" };
    const refusal = refusalOf(() => parseSignatureFile(JSON.stringify(value), "a.json"));
    expect(refusal.code).toBe("SIGNATURE_FILE_INVALID");
    expect(refusal.message).toMatch(/a\.json .*metadataDigest is not the digest of metadata/);
  });

  it("refuses a file whose signingDigest does not match its fields (SIGNATURE_FILE_INVALID)", async () => {
    const value = JSON.parse(serializeSignatureFile((await signedBy(1)).file)) as Record<string, unknown>;
    value.nonce = 1;
    expect(refusalOf(() => parseSignatureFile(JSON.stringify(value))).message).toMatch(/signingDigest/);
  });

  it("refuses unknown members, wrong kinds and malformed hex (SIGNATURE_FILE_INVALID)", async () => {
    const value = JSON.parse(serializeSignatureFile((await signedBy(1)).file)) as Record<string, unknown>;
    for (const broken of [
      { ...value, extra: 1 },
      { ...value, kind: "AppConfigUpdate" },
      { ...value, format: "other" },
      { ...value, composeHash: "0x1234" },
      { ...value, signature: "not hex" },
      { ...value, deadline: -1 },
    ]) {
      expect(refusalOf(() => parseSignatureFile(JSON.stringify(broken))).code).toBe("SIGNATURE_FILE_INVALID");
    }
    expect(refusalOf(() => parseSignatureFile("{")).code).toBe("SIGNATURE_FILE_INVALID");
  });
});

describe("ethSignTypedDataV4Of", () => {
  it("is eth_signTypedData_v4 JSON whose digest (computed by ethers) is the digest basekms signs", () => {
    for (const request of [RELEASE, FREEZE]) {
      const v4 = ethSignTypedDataV4Of(request) as { types: Record<string, { name: string; type: string }[]>; domain: Record<string, unknown>; message: Record<string, unknown> };
      const { EIP712Domain, ...types } = v4.types;
      expect(EIP712Domain?.map((field) => field.name)).toEqual(["name", "version", "chainId", "verifyingContract"]);
      expect(TypedDataEncoder.hash(v4.domain, types, v4.message)).toBe(signingDigestOf(request));
      expect(JSON.parse(JSON.stringify(v4))).toEqual(v4);
    }
  });
});

describe("collectSignatures", () => {
  it("sorts the signatures by ascending signer address", async () => {
    const files = await Promise.all([signedBy(1), signedBy(2), signedBy(3)]);
    const bundle = collectSignatures([...files].reverse());
    const signers = bundle.signatures.map((entry) => BigInt(entry.signer));
    expect(signers).toEqual([...signers].sort((a, b) => (a < b ? -1 : 1)));
    expect(bundle.signatures).toHaveLength(3);
    expect(bundle.submitterSignatureDropped).toBe(false);
  });

  it("drops the submitter's own signature: the contract counts the sender and refuses it twice", async () => {
    const files = await Promise.all([signedBy(1), signedBy(2)]);
    const submitter = DEV_ACCOUNTS[2]?.address as Hex;
    const bundle = collectSignatures(files, { submitter });
    expect(bundle.signatures.map((entry) => entry.signer)).toEqual([DEV_ACCOUNTS[1]?.address]);
    expect(bundle.submitterSignatureDropped).toBe(true);
  });

  it("refuses files that sign different messages, naming the member (SIGNATURE_FILES_DISAGREE)", async () => {
    const other = { ...RELEASE, nonce: 1 };
    const files = [await signedBy(1), await signedBy(2, other)];
    const result = refusalOf(() => collectSignatures(files));
    expect(result.code).toBe("SIGNATURE_FILES_DISAGREE");
    expect(result.message).toBe("signer1.json and signer2.json sign different messages: they differ in nonce (0 vs 1)");
  });

  it("refuses two files by the same signer (SIGNATURE_DUPLICATE_SIGNER)", async () => {
    const files = [await signedBy(1), { ...(await signedBy(1)), source: "copy.json" }];
    expect(refusalOf(() => collectSignatures(files)).code).toBe("SIGNATURE_DUPLICATE_SIGNER");
  });

  it("refuses an empty list (SIGNATURE_FILE_INVALID)", () => {
    expect(refusalOf(() => collectSignatures([])).code).toBe("SIGNATURE_FILE_INVALID");
  });
});

describe("requireKind", () => {
  it("refuses a freeze signature where a release signature is needed (SIGNATURE_FILE_INVALID)", () => {
    expect(requireKind(RELEASE, "Release")).toBe(RELEASE);
    expect(refusalOf(() => requireKind(FREEZE, "Release", "f.json")).message).toBe("f.json signs an AppFreeze message, but this command needs Release signatures");
  });
});
