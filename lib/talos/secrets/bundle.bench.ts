/**
 * The PEM check of a secrets bundle on hostile input: a certificate field holding base64 of
 * 20,000 `-----BEGIN A-----` lines and no END line. The regex it replaced
 * (`/^-----BEGIN ([A-Z0-9 ]+)-----\n[\s\S]*?\n-----END \1-----\n?/m`) retried its lazy scan at
 * every BEGIN line: about 2.2 s here. The indexOf scan is linear.
 */
import type { Bench, BenchRow } from "@/test/bench/types";

import { SourceError } from "../errors";
import { parseSecretsBundle } from "./bundle";

const hostile = () => {
  const field = Buffer.from("-----BEGIN A-----\n".repeat(20_000)).toString("base64");
  return [
    "cluster:",
    "    id: x",
    "    secret: y",
    "secrets:",
    "    bootstraptoken: a.b",
    "    secretboxencryptionsecret: c",
    "trustdinfo:",
    "    token: d",
    "certs:",
    "    etcd:",
    `        crt: ${field}`,
    "        key: e",
    "",
  ].join("\n");
};

const bench: Bench = async () => {
  const text = hostile();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    try {
      parseSecretsBundle(text, "hostile.yaml");
      throw new Error("a hostile bundle was accepted");
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const rows: BenchRow[] = [{ suite: "secrets/bundle", name: "parse, 20k BEGIN lines in certs.etcd.crt (median of 5)", value: times[2]!, unit: "ms" }];
  return rows;
};

export default bench;
