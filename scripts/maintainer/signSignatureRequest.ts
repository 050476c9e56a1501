import type { LocalAccount } from "viem";
import type { SignatureFile, SignatureRequest } from "./signatureRequest";
import { typedDataOf } from "./signatureRequest";

/** Signs a request's EIP-712 typed data with a local key and returns the signature file. */
export async function signSignatureRequest<Request extends SignatureRequest>(account: LocalAccount, request: Request): Promise<SignatureFile<Request>> {
  const signature = await account.signTypedData(typedDataOf(request) as never);
  return { request, signer: account.address, signature };
}
