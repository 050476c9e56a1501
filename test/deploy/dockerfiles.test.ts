import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkCommandWords } from "./support/cliCommands";
import { REPO_ROOT, readRepoFile } from "./support/compose";
import { copySources, envPairs, execForm, type Instruction, parseDockerfile, pinnedReference, stagesOf } from "./support/dockerfile";

/**
 * The production images (deploy/README.md): reproducible (base pinned by digest, `npm ci` from
 * the lockfile, SOURCE_DATE_EPOCH), non-root by default, health-checked, and built only from
 * files and commands that exist. There is no Docker engine in CI, so these checks read the
 * Dockerfiles; deploy/README.md says how an operator builds and compares the images.
 */
const DOCKERFILES = ["deploy/kms/Dockerfile", "deploy/agent/Dockerfile"] as const;
const SECRET_NAME = /KEY|SECRET|PASSWORD|PASSPHRASE|TOKEN|MNEMONIC|PRIVATE/i;
const packageJson = JSON.parse(readRepoFile("package.json")) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function stagesOfFile(file: string) {
  return stagesOf(parseDockerfile(readRepoFile(file)));
}

function allInstructions(file: string): Instruction[] {
  return parseDockerfile(readRepoFile(file));
}

function pinnedBases(file: string) {
  return stagesOfFile(file)
    .map((stage) => pinnedReference(stage.base))
    .filter((pinned) => pinned !== undefined);
}

/** Bare package names imported by the TypeScript/JavaScript files under `dir`. */
function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(?:ts|js|cjs|mjs)$/.test(entry.name)) {
        const text = fs.readFileSync(full, "utf8");
        for (const match of text.matchAll(/(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)["']([^"'./][^"']*)["']/g)) {
          const specifier = match[1] as string;
          const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] as string);
          names.add(name);
        }
      }
    }
  };
  walk(path.join(REPO_ROOT, dir));
  return names;
}

function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const left = a[index] ?? 0;
    const right = b[index] ?? 0;
    if (left !== right) return left > right;
  }
  return true;
}

describe.each(DOCKERFILES)("%s", (file) => {
  const stages = stagesOfFile(file);
  const instructions = allInstructions(file);

  it("starts every stage from an earlier stage or from an image pinned by a sha256 digest", () => {
    expect(stages.length).toBeGreaterThan(1);
    const earlier = new Set<string>();
    for (const stage of stages) {
      const pinned = pinnedReference(stage.base);
      if (!earlier.has(stage.base)) expect(pinned, `FROM ${stage.base} is neither an earlier stage nor pinned by digest`).toBeDefined();
      expect(stage.base).not.toContain("$");
      if (stage.name) earlier.add(stage.name);
    }
    expect(pinnedBases(file).length).toBeGreaterThan(0);
  });

  it("pins the official Node image at a version the package's engines field accepts", () => {
    const minimum = /^>=\s*(\d+(?:\.\d+)*)$/.exec(packageJson.engines.node)?.[1] as string;
    expect(minimum).toBeDefined();
    for (const pinned of pinnedBases(file)) {
      expect(pinned.repository).toBe("node");
      const version = /^(\d+\.\d+\.\d+)-bookworm-slim$/.exec(pinned.tag ?? "")?.[1];
      expect(version, `tag ${pinned.tag} should be an exact <x.y.z>-bookworm-slim`).toBeDefined();
      expect(versionAtLeast(version as string, minimum)).toBe(true);
    }
  });

  it("installs dependencies with npm ci, right after copying package.json and package-lock.json", () => {
    const npmRuns = instructions.filter((instruction) => instruction.keyword === "RUN" && /\bnpm\b/.test(instruction.args));
    expect(npmRuns.length).toBeGreaterThan(0);
    for (const run of npmRuns) {
      expect(run.args).not.toMatch(/\bnpm\s+(?:install|i|add|update)\b/);
      expect(run.args).toMatch(/\bnpm ci\b/);
    }
    for (const stage of stages) {
      const index = stage.instructions.findIndex((instruction) => instruction.keyword === "RUN" && /\bnpm ci\b/.test(instruction.args));
      if (index < 0) continue;
      const copies = stage.instructions.slice(0, index).filter((instruction) => instruction.keyword === "COPY" && !/--from=/.test(instruction.args));
      const copied = copies.flatMap(copySources);
      expect(copied).toContain("package.json");
      expect(copied).toContain("package-lock.json");
      // Nothing but the manifests before `npm ci`, so the dependency layer depends on them alone.
      expect(copied.sort()).toEqual(["package-lock.json", "package.json"]);
    }
  });

  it("omits devDependencies only because everything the image runs is a runtime dependency", () => {
    const ci = instructions.find((instruction) => instruction.keyword === "RUN" && /\bnpm ci\b/.test(instruction.args)) as Instruction;
    expect(ci.args).toContain("--omit=dev");
    // The CLI runs TypeScript through tsx: it must survive --omit=dev.
    expect(packageJson.dependencies).toHaveProperty("tsx");
    expect(readRepoFile("bin/basekms.js")).toContain('require("tsx/cjs")');
    const copiedDirs = instructions
      .filter((instruction) => instruction.keyword === "COPY" && !/--from=/.test(instruction.args))
      .flatMap(copySources)
      .filter((source) => fs.statSync(path.join(REPO_ROOT, source)).isDirectory());
    const builtins = new Set(builtinModules);
    for (const dir of copiedDirs) {
      for (const name of importedPackages(dir)) {
        if (name.startsWith("node:") || builtins.has(name) || name.startsWith("$")) continue;
        expect(packageJson.dependencies, `${dir}/ imports ${name}, which --omit=dev would leave out`).toHaveProperty(name);
      }
    }
  });

  it("declares SOURCE_DATE_EPOCH in every stage that uses it, and refuses to build without it", () => {
    const uses = stages.filter((stage) => stage.instructions.some((instruction) => instruction.args.includes("${SOURCE_DATE_EPOCH")));
    expect(uses.length).toBeGreaterThan(0);
    for (const stage of uses) {
      const declaration = stage.instructions.findIndex((instruction) => instruction.keyword === "ARG" && /^SOURCE_DATE_EPOCH\b/.test(instruction.args));
      const firstUse = stage.instructions.findIndex((instruction) => instruction.args.includes("${SOURCE_DATE_EPOCH"));
      expect(declaration, `stage ${stage.name} uses SOURCE_DATE_EPOCH without ARG`).toBeGreaterThanOrEqual(0);
      expect(declaration).toBeLessThan(firstUse);
      // No default value: a default would silently make a build that cannot be reproduced.
      expect(stage.instructions[declaration]?.args).toBe("SOURCE_DATE_EPOCH");
    }
    expect(instructions.some((instruction) => instruction.keyword === "RUN" && /test -n "\$\{SOURCE_DATE_EPOCH:-\}"/.test(instruction.args))).toBe(true);
    // File times inside the image are clamped to it, and it drives the Debian snapshot.
    expect(instructions.some((instruction) => /touch --no-dereference --date="@\$\{SOURCE_DATE_EPOCH\}"/.test(instruction.args))).toBe(true);
    expect(instructions.some((instruction) => /snapshot\.debian\.org/.test(instruction.args) && /date -u -d "@\$\{SOURCE_DATE_EPOCH\}"/.test(instruction.args))).toBe(true);
  });

  it("copies only files that exist and that its Dockerfile.dockerignore sends to the builder", () => {
    const ignore = readRepoFile(`${file}.dockerignore`)
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(ignore[0]).toBe("*");
    const included = ignore.filter((line) => line.startsWith("!")).map((line) => line.slice(1).replace(/\/$/, ""));
    const sources = instructions.filter((instruction) => instruction.keyword === "COPY" && !/--from=/.test(instruction.args)).flatMap(copySources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(fs.existsSync(path.join(REPO_ROOT, source)), `${source} does not exist`).toBe(true);
      expect(included, `${source} is not sent to the builder`).toContain(source);
    }
    expect(included).not.toContain(".data");
  });

  it("puts no secret in an ENV line", () => {
    const env = instructions.filter((instruction) => instruction.keyword === "ENV").flatMap(envPairs);
    expect(env.length).toBeGreaterThan(0);
    for (const [name] of env) expect(name, `ENV ${name} looks like a secret`).not.toMatch(SECRET_NAME);
  });

  it("runs as a non-root user by default and checks GET /health", () => {
    const runtime = stages[stages.length - 1]?.instructions ?? [];
    const users = runtime.filter((instruction) => instruction.keyword === "USER");
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]?.args).toMatch(/^(?!root\b|0\b)[a-z_][a-z0-9_-]*$/);
    const healthcheck = runtime.find((instruction) => instruction.keyword === "HEALTHCHECK");
    expect(healthcheck?.args).toMatch(/CMD \["node", "-e", ".*\/health/);
    const probe = execForm((healthcheck as Instruction).args.replace(/^.*?CMD\s+/, ""));
    expect(probe.slice(0, 2)).toEqual(["node", "-e"]);
  });

  it("starts the real CLI with a real command", () => {
    const runtime = stages[stages.length - 1]?.instructions ?? [];
    const entrypoint = execForm(runtime.find((instruction) => instruction.keyword === "ENTRYPOINT")?.args as string);
    expect(entrypoint).toEqual(["node", "/opt/basekms/bin/basekms.js"]);
    expect(fs.existsSync(path.join(REPO_ROOT, "bin/basekms.js"))).toBe(true);
    const workdirs = instructions.filter((instruction) => instruction.keyword === "WORKDIR").map((instruction) => instruction.args);
    expect(workdirs).toContain("/opt/basekms");
    const command = execForm(runtime.find((instruction) => instruction.keyword === "CMD")?.args as string);
    expect(checkCommandWords(command)).toBeUndefined();
  });
});

describe("the base image pin", () => {
  it("is the same digest in both Dockerfiles, and deploy/README.md names it with its re-verify command", () => {
    const digests = DOCKERFILES.flatMap((file) => pinnedBases(file).map((pinned) => `node:${pinned.tag}@${pinned.digest}`));
    expect(new Set(digests).size).toBe(1);
    const reference = digests[0] as string;
    const readme = readRepoFile("deploy/README.md");
    expect(readme).toContain(reference);
    expect(readme).toContain(`docker buildx imagetools inspect ${reference}`);
    // The OCI label repeats the digest; it must not drift from the FROM line.
    for (const file of DOCKERFILES) expect(readRepoFile(file)).toContain(`org.opencontainers.image.base.digest="${reference.split("@")[1]}"`);
  });

  it("a Dockerfile reader that sees a FROM without a digest reports it (mutation check)", () => {
    const mutated = readRepoFile("deploy/kms/Dockerfile").replace(/@sha256:[0-9a-f]{64}/, "");
    const first = stagesOf(parseDockerfile(mutated))[0];
    expect(pinnedReference(first?.base as string)).toBeUndefined();
    expect(pinnedReference("node:20@sha256:abc")).toBeUndefined();
  });
});
