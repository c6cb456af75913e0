/**
 * uid → user name from /etc/passwd, parsed once. A uid not found there makes
 * a re-read at most every 10 s (a user added while bpftop runs), never a
 * lookup per row. No NSS: bpftop must not load modules chosen by a config file.
 */
import { readFileSync } from "node:fs";
import { sanitizeText } from "../bpf/records.ts";

const REREAD_MS = 10_000;

export class UserNames {
  private names = new Map<number, string>();
  private loadedAt = -Infinity;

  constructor(private readonly passwdPath = "/etc/passwd") {}

  name(uid: number): string {
    const known = this.names.get(uid);
    if (known !== undefined) return known;
    if (performance.now() - this.loadedAt > REREAD_MS) {
      this.load();
      const found = this.names.get(uid);
      if (found !== undefined) return found;
    }
    return String(uid);
  }

  /** uid of a user name, or undefined. */
  uid(name: string): number | undefined {
    if (this.loadedAt === -Infinity) this.load();
    for (const [uid, n] of this.names) if (n === name) return uid;
    return undefined;
  }

  private load(): void {
    this.loadedAt = performance.now();
    let text = "";
    try {
      text = readFileSync(this.passwdPath, "utf8");
    } catch {
      return;
    }
    this.names = parsePasswd(text);
  }
}

export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 3 || !f[0]) continue;
    const uid = Number(f[2]);
    if (Number.isInteger(uid) && uid >= 0 && !names.has(uid)) names.set(uid, sanitizeText(f[0]));
  }
  return names;
}
