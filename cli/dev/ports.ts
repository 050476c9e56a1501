import net from "node:net";
import { freeLoopbackPort } from "../../core/chain/hardhatNode";
import { UsageError } from "../../core/errors";

/**
 * Ports of the local stack, checked before anything starts. A port already taken would
 * otherwise fail late, or worse: the Hardhat launcher waits until *an* RPC answers on its port,
 * so another node already listening there would be mistaken for ours.
 */
export interface DevPorts {
  rpc: number;
  kms: number;
  indexer: number;
  socialApi: number;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Refuses a fixed port that is taken (naming its flag); 0 stays 0 except the RPC, which gets a free port now. */
export async function checkDevPorts(ports: DevPorts, flags: Record<keyof DevPorts, string>): Promise<DevPorts> {
  for (const name of Object.keys(ports) as (keyof DevPorts)[]) {
    const port = ports[name];
    if (port !== 0 && !(await canListen(port))) {
      throw new UsageError("CONFIG_INVALID", `127.0.0.1:${port} is already in use (${flags[name]}); stop what listens there, or pass ${flags[name]} 0 for any free port`);
    }
  }
  return { ...ports, rpc: ports.rpc === 0 ? await freeLoopbackPort() : ports.rpc };
}
