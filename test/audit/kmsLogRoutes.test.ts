import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify from "fastify";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, connectChain, createKmsLogClient } from "../../core/audit";
import { isBaseError } from "../../core/errors";
import type { ReleaseLog } from "../../kms/log";
import { registerLogRoutes } from "../../kms/routes/logRoutes";
import { keyReleaseBytes, openLogFile, signAndAnchor } from "./helpers/releaseLogFixture";
import {
  approveRelease,
  devAccount,
  label,
  registerApp,
  registerKmsIdentity,
  setAllowedTcbStatuses,
  setKmsMeasurementAllowed,
  setPlatformAllowed,
  startTestChain,
  type TestChain,
} from "./helpers/testChain";

/**
 * The contract between the auditor and the KMS: `audit log` reads a release log served by the
 * KMS's own route code (kms/routes/logRoutes.ts), shapes and hex spellings included.
 */
describe("audit log against the KMS's log routes", () => {
  let chain: TestChain;
  let log: ReleaseLog;
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    chain = await startTestChain();
    const kms = devAccount(12);
    const appId = await registerApp(chain, [devAccount(1)], 1, 0);
    await setPlatformAllowed(chain, label("routes-platform"), true);
    await setAllowedTcbStatuses(chain, 0b1);
    await setKmsMeasurementAllowed(chain, label("routes-kms"), true);
    await registerKmsIdentity(chain, kms.address.toLowerCase() as Hex, label("routes-quote"), label("routes-kms"));
    await approveRelease(chain, appId, label("routes-compose"), [devAccount(1)]);
    const block = await chain.client.getBlock();
    log = openLogFile(chain.dir, "kms-routes");
    for (let index = 0; index < 5; index += 1) {
      log.append(keyReleaseBytes(chain, { kms, appId, composeHash: label("routes-compose"), platformHash: label("routes-platform"), policyBlock: { number: Number(block.number), hash: block.hash }, instanceId: `0${index}` }));
      if (index === 2) await signAndAnchor(chain, log, kms);
    }
    await signAndAnchor(chain, log, kms);
    const app = Fastify().withTypeProvider<TypeBoxTypeProvider>();
    registerLogRoutes(app, log, () => log.latestCheckpoint());
    app.setErrorHandler((error, _request, reply) => reply.code(400).send({ errorCode: isBaseError(error) ? error.code : "ERROR", message: error instanceof Error ? error.message : String(error) }));
    url = await app.listen({ host: "127.0.0.1", port: 0 });
    close = () => app.close();
  }, 120_000);

  afterAll(async () => {
    await close?.();
    log?.close();
    await chain?.stop();
  });

  it("verifies the log served by the KMS route code with no finding", async () => {
    const result = await auditLog(await connectChain(chain.url, chain.deployment), { deployment: chain.deployment, log: createKmsLogClient({ baseUrl: url }) });
    expect(result.findings).toEqual([]);
    expect(result.anchored.map((checkpoint) => checkpoint.treeSize)).toEqual([3, 5]);
    expect(result.leavesJudged).toBe(5);
  });
});
