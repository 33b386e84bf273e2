/**
 * `.dockerignore` as Docker reads it (moby/patternmatcher): patterns are relative to the context
 * root (a leading `/` is dropped, `node_modules` is the root one only, `**\/node_modules` any),
 * `*` and `?` stay within one path segment, `**` spans segments, a pattern that matches a
 * directory excludes everything under it, `!` re-includes, and the last matching pattern wins.
 * Character classes and escapes are refused: Minos's file does not need them.
 */
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from "node:fs";
import path from "node:path";

interface Pattern {
  source: string;
  regex: RegExp;
  exclusion: boolean;
}

export class DockerignoreError extends Error {}

function compile(pattern: string): RegExp {
  if (/[[\]\\]/.test(pattern)) throw new DockerignoreError(`.dockerignore: character classes and escapes are not supported (${pattern})`);
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        re += "(?:.*/)?";
      } else {
        re += ".*";
      }
    } else if (c === "*") {
      re += "[^/]*";
    } else if (c === "?") {
      re += "[^/]";
    } else {
      re += c.replace(/[.+^${}()|]/g, "\\$&");
    }
  }
  return new RegExp(`${re}$`);
}

export function parseDockerignore(text: string): Pattern[] {
  const out: Pattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.startsWith("#")) continue;
    let p = raw.trim();
    if (!p) continue;
    const exclusion = p.startsWith("!");
    if (exclusion) p = p.slice(1).trim();
    p = path.posix.normalize(p).replace(/^\/+/, "").replace(/\/+$/, "");
    if (!p || p === "." || p.startsWith("..")) throw new DockerignoreError(`.dockerignore: pattern ${JSON.stringify(raw)} names nothing inside the context`);
    out.push({ source: raw, regex: compile(p), exclusion });
  }
  return out;
}

/** Whether `file` (relative, with `/`) is left out of the build context. */
export function isIgnored(patterns: Pattern[], file: string): boolean {
  const parents: string[] = [];
  const parts = file.split("/");
  for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join("/"));
  let ignored = false;
  for (const p of patterns) {
    if (p.regex.test(file) || parents.some((d) => p.regex.test(d))) ignored = !p.exclusion;
  }
  return ignored;
}

/**
 * Copies the build context (`root` less what the patterns leave out) into `dest`, keeping file
 * modes and symbolic links, and returns the relative paths copied. A left-out directory is not
 * entered unless some `!` pattern could bring a file under it back.
 */
export function copyContext(root: string, dest: string, patterns: Pattern[]): string[] {
  const copied: string[] = [];
  const hasExceptions = patterns.some((p) => p.exclusion);
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const file = rel ? `${rel}/${name}` : name;
      const from = path.join(root, file);
      const st = lstatSync(from);
      const ignored = isIgnored(patterns, file);
      if (st.isDirectory()) {
        if (ignored && !hasExceptions) continue;
        if (!ignored) mkdirSync(path.join(dest, file), { recursive: true, mode: st.mode & 0o7777 });
        walk(file);
        continue;
      }
      if (ignored) continue;
      const to = path.join(dest, file);
      mkdirSync(path.dirname(to), { recursive: true });
      if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
      else if (st.isFile()) copyFileSync(from, to);
      else throw new DockerignoreError(`${file}: neither a file, a directory nor a link`);
      copied.push(file);
    }
  };
  mkdirSync(dest, { recursive: true });
  walk("");
  return copied;
}
