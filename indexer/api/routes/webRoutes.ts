import fs from "node:fs";
import path from "node:path";
import type { IndexerFastify } from "../types";

/** The auditors' page: plain HTML, CSS and JavaScript from indexer/web/, no build step. */
const WEB_DIR = path.resolve(__dirname, "../../web");
const FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

export function registerWebRoutes(app: IndexerFastify): void {
  const contents = new Map(Object.keys(FILES).map((name) => [name, fs.readFileSync(path.join(WEB_DIR, name))]));
  const send = (name: string) => async (_request: unknown, reply: { header(name: string, value: string): unknown; send(body: Buffer): unknown }) => {
    reply.header("content-type", FILES[name]!);
    reply.header("content-security-policy", "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:");
    return reply.send(contents.get(name)!);
  };
  app.get("/", { schema: { hide: true } }, send("index.html"));
  for (const name of Object.keys(FILES)) app.get(`/web/${name}`, { schema: { hide: true } }, send(name));
}
