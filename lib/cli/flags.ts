/**
 * A command-line flag parser with spf13/pflag's rules, so talosctl command lines port unchanged:
 * `--name value`, `--name=value`, `-o value`, `-ovalue`, `-o=value`, grouped short booleans
 * (`-f`), booleans that take their value only after "=" (`--with-docs=false`; a bare
 * `--with-docs` is true and `--with-docs false` leaves "false" as an argument), string slices
 * that split on commas (`--additional-sans a,b`, repeatable), string arrays that do not
 * (`--config-patch`), flags and arguments in any order, `--` ending the flags and `-` being an
 * argument (standard input/output). node:util parseArgs cannot read `--flag=false`, hence this.
 */

export type FlagKind = "string" | "bool" | "stringArray" | "stringSlice";

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
}

export type FlagValue = string | boolean | string[];

export interface ParsedFlags {
  /** Only the flags that were given; defaults are the caller's. */
  values: Map<string, FlagValue>;
  positionals: string[];
}

export class UsageError extends Error {}

/** strconv.ParseBool, which pflag uses for boolean flags. */
export function parseGoBool(s: string): boolean | null {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return null;
}

/**
 * pflag's string slices read each value as one CSV record (encoding/csv): commas separate,
 * double quotes protect commas, `""` inside quotes is a quote.
 */
export function splitCsv(value: string): string[] {
  if (value === "") return [];
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let atFieldStart = true;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '"' && value[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (c === ",") {
      out.push(cur);
      cur = "";
      atFieldStart = true;
    } else {
      cur += c;
      atFieldStart = false;
    }
  }
  if (quoted) throw new UsageError(`bare " in non-quoted-field or unterminated quote in ${JSON.stringify(value)}`);
  out.push(cur);
  return out;
}

/** Parses argv against the specs; `-h`/`--help` are always known (as the bool flag "help"). */
export function parseFlags(argv: string[], specs: FlagSpec[]): ParsedFlags {
  const all: FlagSpec[] = [...specs, { name: "help", short: "h", kind: "bool" }];
  const byName = new Map(all.map((s) => [s.name, s]));
  const byShort = new Map(all.filter((s) => s.short).map((s) => [s.short!, s]));
  const values = new Map<string, FlagValue>();
  const positionals: string[] = [];

  const set = (spec: FlagSpec, raw: string | undefined, shown: string) => {
    switch (spec.kind) {
      case "bool": {
        const b = raw === undefined ? true : parseGoBool(raw);
        if (b === null) throw new UsageError(`invalid argument ${JSON.stringify(raw)} for "${shown}" flag: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
        values.set(spec.name, b);
        return;
      }
      case "string":
        values.set(spec.name, raw!);
        return;
      case "stringArray":
      case "stringSlice": {
        // The first use replaces the default, later ones append (pflag's `changed` rule).
        const prev = (values.get(spec.name) as string[] | undefined) ?? [];
        const add = spec.kind === "stringSlice" ? splitCsv(raw!) : [raw!];
        values.set(spec.name, [...prev, ...add]);
        return;
      }
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.length < 2 || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = byName.get(name);
      if (!spec || name === "") throw new UsageError(`unknown flag: --${name}`);
      if (eq >= 0) set(spec, arg.slice(eq + 1), `--${name}`);
      else if (spec.kind === "bool") set(spec, undefined, `--${name}`);
      else if (i + 1 < argv.length) set(spec, argv[++i], `--${name}`);
      else throw new UsageError(`flag needs an argument: --${name}`);
      continue;
    }
    // Shorthands: `-fh` groups booleans; a value-taking shorthand eats the rest of the word.
    let rest = arg.slice(1);
    while (rest.length > 0) {
      const c = rest[0]!;
      const spec = byShort.get(c);
      if (!spec) throw new UsageError(`unknown shorthand flag: '${c}' in ${arg}`);
      const shown = `-${c}, --${spec.name}`;
      rest = rest.slice(1);
      if (rest.startsWith("=")) {
        set(spec, rest.slice(1), shown);
        rest = "";
      } else if (spec.kind === "bool") set(spec, undefined, shown);
      else if (rest.length > 0) {
        set(spec, rest, shown);
        rest = "";
      } else if (i + 1 < argv.length) set(spec, argv[++i], shown);
      else throw new UsageError(`flag needs an argument: '${c}' in -${c}`);
    }
  }
  return { values, positionals };
}

/** Typed getters with the caller's defaults. */
export function flagGetters(parsed: ParsedFlags) {
  return {
    str: (name: string, def = ""): string => (parsed.values.get(name) as string | undefined) ?? def,
    bool: (name: string, def = false): boolean => (parsed.values.get(name) as boolean | undefined) ?? def,
    list: (name: string, def: string[] = []): string[] => (parsed.values.get(name) as string[] | undefined) ?? def,
    has: (name: string): boolean => parsed.values.has(name),
  };
}
