/**
 * A loopback TCP forwarder to the Hardhat node that can go away for real: `refuse()` closes
 * its listening socket and drops every connection, so new connections get ECONNREFUSED, as
 * from an RPC host that is down; `restore()` listens again on the same port.
 * (test/kms/testbedChain.ts's proxy accepts and then resets instead.)
 */
import net from "node:net";

export interface SwitchableRpc {
  url: string;
  refuse(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startSwitchableRpc(targetPort: number): Promise<SwitchableRpc> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const listener = net.createServer((client) => {
        const upstream = net.connect(targetPort, "127.0.0.1");
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
          socket.on("error", () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      listener.once("error", reject);
      listener.listen(port, "127.0.0.1", () => {
        server = listener;
        resolve((listener.address() as net.AddressInfo).port);
      });
    });

  const shut = () =>
    new Promise<void>((resolve) => {
      const listener = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (!listener) return resolve();
      listener.close(() => resolve());
    });

  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}`,
    refuse: shut,
    restore: async () => {
      if (!server) await listen(port);
    },
    close: shut,
  };
}
