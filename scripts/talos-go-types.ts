/**
 * `npx tsx scripts/talos-go-types.ts [TALOS_GIT_DIR] [TAG] > lib/config/patch/go-types.generated.txt`
 *
 * Reads the struct definitions of Talos's config types (pkg/machinery/config/types/**, at a tag of
 * a local git clone or mirror) and prints the facts lib/config/patch/go-types.ts holds: for each
 * struct its fields in Go order as `yamlName goType flags` (o = omitempty, r = merge:"replace",
 * i = inline, f = flow; `-` for an embedded struct), and the named non-struct types. Run it when
 * Talos's types change, and update go-types.ts from its output (the hand-written entries at the
 * end of go-types.ts stay). It reads source text only; nothing is built or run.
 */
import { execFileSync } from "node:child_process";

const repo = process.argv[2] ?? "/work/.mirror/siderolabs+talos/repo";
const tag = process.argv[3] ?? "v1.14.0-rc.1";
const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { maxBuffer: 64 * 1024 * 1024 }).toString();

const BUILTIN = new Set(["string", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "byte", "any", "error", "rune"]);

/** Prefixes unqualified exported type names with their package. */
function qualify(t: string, pkg: string): string {
  return t
    .replace(/(^|[[\]*\s])([A-Za-z_]\w*)(?![.\w])/g, (m, pre: string, id: string) => (BUILTIN.has(id) || ["map", "interface", "struct", "func"].includes(id) ? m : `${pre}${pkg}.${id}`))
    .replace(/interface\{\}/g, "any");
}

const files = git("ls-tree", "-r", "--name-only", tag, "pkg/machinery/config/types")
  .trim()
  .split("\n")
  .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go") && !/_docs\.go$|deepcopy|zz_generated/.test(f));
const structs: Record<string, string[]> = {};
const named: Record<string, string> = {};
for (const file of files) {
  const pkg = file.split("/").at(-2)!;
  const lines = git("show", `${tag}:${file}`).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const head = /^type (\w+) struct \{\s*$/.exec(lines[i]!);
    if (head) {
      const fields: string[] = [];
      for (i++; i < lines.length && lines[i] !== "}"; i++) {
        const line = lines[i]!;
        const field = /^\t(\w+)\s+([^\s`]+)\s+`([^`]*)`/.exec(line);
        if (field) {
          const yaml = /yaml:"([^"]*)"/.exec(field[3]!);
          if (!yaml || !/^[A-Z]/.test(field[1]!)) continue;
          const parts = yaml[1]!.split(",");
          if (parts[0] === "-") continue;
          let flags = "";
          if (parts.includes("omitempty")) flags += "o";
          if (/merge:"replace"/.test(field[3]!)) flags += "r";
          if (parts.includes("inline")) flags += "i";
          if (parts.includes("flow")) flags += "f";
          fields.push(`${parts[0] || field[1]!.toLowerCase()} ${qualify(field[2]!, pkg)} ${flags}`.trim());
          continue;
        }
        const embedded = /^\t(\*?[\w.]+)\s*(?:`([^`]*)`)?\s*$/.exec(line);
        if (embedded && !/yaml:"-"/.test(embedded[2] ?? "")) fields.push(`- ${qualify(embedded[1]!, pkg)} i`);
      }
      structs[`${pkg}.${head[1]}`] = fields;
      continue;
    }
    const alias = /^type (\w+) ([^={]+?)\s*$/.exec(lines[i]!);
    if (alias && !alias[2]!.startsWith("interface") && !alias[2]!.startsWith("struct")) named[`${pkg}.${alias[1]}`] = qualify(alias[2]!.trim(), pkg);
  }
}
let out = "export const GO_STRUCTS: Readonly<Record<string, string>> = {\n";
for (const k of Object.keys(structs).sort()) out += `  ${JSON.stringify(k)}: ${JSON.stringify(structs[k]!.join("|"))},\n`;
out += "};\n\nexport const GO_NAMED: Readonly<Record<string, string>> = {\n";
for (const k of Object.keys(named).sort()) out += `  ${JSON.stringify(k)}: ${JSON.stringify(named[k])},\n`;
process.stdout.write(`${out}};\n`);
