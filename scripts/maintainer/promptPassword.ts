import { MaintainerError } from "./errors";

/**
 * Asks for a password on the terminal without echoing it. Refuses when stdin is not a TTY, so a
 * script never hangs waiting for input that will not come.
 */
export function promptPassword(question: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (!input.isTTY || typeof input.setRawMode !== "function") {
    return Promise.reject(
      new MaintainerError("KEYSTORE_PASSWORD_MISSING", "no keystore password: set BASEKMS_KEYSTORE_PASSWORD or run on a terminal"),
    );
  }
  return new Promise((resolve, reject) => {
    let password = "";
    const finish = (error?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.off("data", onData);
      output.write("\n");
      if (error) reject(error);
      else resolve(password);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish();
        if (char === "\u0003") return finish(new MaintainerError("KEYSTORE_PASSWORD_MISSING", "password prompt interrupted"));
        if (char === "\u007f" || char === "\b") password = password.slice(0, -1);
        else password += char;
      }
    };
    output.write(question);
    input.setRawMode(true);
    input.resume();
    input.on("data", onData);
  });
}
