/**
 * The Dockerfile reader refuses what it does not understand, .dockerignore matches as Docker's
 * does, and the repository's Dockerfile says what docs/deployment.md promises. The build itself
 * runs in `npm run test:deploy` (minutes); these checks take milliseconds.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { envOf, lastStep, parseDockerfile } from "./dockerfile";
import { copyContext, isIgnored, parseDockerignore } from "./dockerignore";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

describe("parseDockerfile", () => {
  it("joins continuations, drops comments inside them and expands ARG and ENV where Docker does", () => {
    const df = parseDockerfile(`# syntax=docker/dockerfile:1
ARG V=20
FROM node:\${V}-slim AS base
ENV A=/x \\
# a comment inside a continuation
    B="two words"
ENV C=\${A}/y
WORKDIR $A
RUN echo $A \\
    && true
COPY --chown=node:node /a/b ./c
USER 1000:1000
CMD ["node", "$A"]
`);
    const s = df.stages[0]!;
    expect(s.image).toBe("node:20-slim");
    expect(s.name).toBe("base");
    expect([...envOf(s)]).toEqual([["A", "/x"], ["B", "two words"], ["C", "/x/y"]]);
    expect(s.steps.map((x) => x.kind)).toEqual(["ENV", "ENV", "WORKDIR", "RUN", "COPY", "USER", "CMD"]);
    expect(s.steps[2]).toMatchObject({ path: "/x" });
    // RUN and exec-form CMD are not expanded by Docker: the shell (or nobody) does it.
    expect(s.steps[3]).toMatchObject({ command: "echo $A      && true" });
    expect(s.steps[4]).toMatchObject({ chown: { uid: 1000, gid: 1000 }, sources: ["/a/b"], dest: "./c" });
    expect(lastStep(s, "CMD")?.command).toEqual(["node", "$A"]);
  });

  it("lets one ENV's values see the variables as they were before it", () => {
    const s = parseDockerfile("FROM node:20-slim\nENV A=1\nENV A=2 B=${A}\n").stages[0]!;
    expect(envOf(s).get("B")).toBe("1");
  });

  it.each([
    ["ADD", "FROM node:20-slim\nADD x /x\n", /ADD is not supported/],
    ["ENTRYPOINT", 'FROM node:20-slim\nENTRYPOINT ["x"]\n', /ENTRYPOINT is not supported/],
    ["shell-form CMD", "FROM node:20-slim\nCMD node server.js\n", /exec form/],
    ["legacy ENV", "FROM node:20-slim\nENV A 1\n", /KEY=value/],
    ["a wildcard", "FROM node:20-slim\nCOPY *.json ./\n", /wildcards/],
    ["an unknown stage", "FROM node:20-slim\nCOPY --from=build /a ./\n", /no earlier stage/],
    ["RUN --mount", "FROM node:20-slim\nRUN --mount=type=cache,target=/x true\n", /RUN flags/],
    ["an unset variable", "FROM node:${NOPE}-slim\n", /NOPE is not set/],
    ["a default substitution", "ARG V=1\nFROM node:${V:-20}\n", /unsupported substitution/],
    ["an instruction before FROM", "WORKDIR /app\n", /before the first FROM/],
    ["a named user without group", "FROM node:20-slim\nUSER 1234\n", /group/],
    ["a dangling continuation", "FROM node:20-slim\nRUN true \\\n", /continuation/],
    ["the escape directive", "# escape=`\nFROM node:20-slim\n", /escape/],
  ])("refuses %s", (_, text, error) => {
    expect(() => parseDockerfile(text)).toThrow(error);
  });
});

describe(".dockerignore", () => {
  const patterns = parseDockerignore("# c\nnode_modules\n**/.minos\n/dist/\n*.log\nsecrets\n!secrets/public.pem\n");
  it.each([
    ["node_modules/next/package.json", true],
    ["lib/node_modules/x", false], // Docker anchors a plain pattern at the context root.
    [".minos/minos.db", true],
    ["a/b/.minos/x", true],
    ["dist/index.js", true],
    ["server.log", true],
    ["logs/server.log", false],
    ["secrets/key.pem", true],
    ["secrets/public.pem", false],
    ["package.json", false],
  ])("%s ignored: %s", (file, ignored) => {
    expect(isIgnored(patterns, file)).toBe(ignored);
  });

  const tmp = mkdtempSync(path.join(tmpdir(), "minos-dockerignore-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  it("copies the context less what it leaves out, entering an ignored directory only for an exception", () => {
    const src = path.join(tmp, "src");
    for (const f of ["package.json", "node_modules/x/index.js", "secrets/key.pem", "secrets/public.pem", "lib/a.ts"]) {
      mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
      writeFileSync(path.join(src, f), f);
    }
    const copied = copyContext(src, path.join(tmp, "dest"), patterns);
    expect(copied).toEqual(["lib/a.ts", "package.json", "secrets/public.pem"]);
    expect(existsSync(path.join(tmp, "dest/node_modules"))).toBe(false);
  });

  it("refuses patterns it does not implement", () => {
    expect(() => parseDockerignore("[ab].txt\n")).toThrow(/character classes/);
    expect(() => parseDockerignore("../x\n")).toThrow(/inside the context/);
  });
});

describe("the repository's Dockerfile", () => {
  const df = parseDockerfile(readFileSync(path.join(root, "Dockerfile"), "utf8"));
  const runtime = df.stages.at(-1)!;
  const env = envOf(runtime);
  const ignore = parseDockerignore(readFileSync(path.join(root, ".dockerignore"), "utf8"));

  it("builds in stages from Node 20 images and ships the slim one", () => {
    expect(df.stages.map((s) => s.name)).toEqual(["deps", "build", "runtime"]);
    expect(runtime.image).toBe("node:20-bookworm-slim");
    expect(df.stages.flatMap((s) => s.steps).filter((s) => s.kind === "RUN").map((s) => (s as { command: string }).command)).toEqual(
      expect.arrayContaining(["npm ci --no-audit --no-fund", "npm run build"]),
    );
    expect(runtime.steps.some((s) => s.kind === "RUN")).toBe(false);
  });

  it("runs Minos's own server as a numeric non-root user, in production, on every interface", () => {
    const user = lastStep(runtime, "USER")!.user;
    expect(user.uid).toBeGreaterThan(0);
    expect(user.gid).toBeGreaterThan(0);
    const cmd = lastStep(runtime, "CMD")!.command;
    expect(cmd).toContain("scripts/serve.ts");
    expect(cmd.join(" ")).not.toMatch(/next start/);
    expect(env.get("NODE_ENV")).toBe("production");
    expect(env.get("MINOS_HOST")).toBe("0.0.0.0");
    expect(lastStep(runtime, "EXPOSE")!.ports).toEqual([Number(env.get("PORT"))]);
  });

  it("checks its health on /api/health and keeps its state in a volume it owns", () => {
    expect(lastStep(runtime, "HEALTHCHECK")!.command.join(" ")).toContain("/api/health");
    const state = env.get("MINOS_STATE_DIR")!;
    expect(lastStep(runtime, "VOLUME")!.paths).toEqual([state]);
    const copyToState = runtime.steps.find((s) => s.kind === "COPY" && s.dest === state);
    expect(copyToState).toMatchObject({ chown: lastStep(runtime, "USER")!.user });
  });

  it("sends the build what it needs and no installed, built or local state", () => {
    for (const f of ["package.json", "package-lock.json", "next.config.ts", "tsconfig.json", "scripts/serve.ts", "app/layout.tsx", "lib/schemas/env.ts", "instrumentation.ts", "proxy.ts"]) {
      expect(isIgnored(ignore, f), f).toBe(false);
    }
    for (const f of ["node_modules/next/package.json", ".next/BUILD_ID", ".minos/minos.db", ".minos/secret.key", ".git/HEAD", "state/x", ".env"]) {
      expect(isIgnored(ignore, f), f).toBe(true);
    }
  });
});
