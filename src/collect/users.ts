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
  private homes = new Map<number, string>();
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

  /** Home directory of uid (for rootless container metadata), or undefined. */
  home(uid: number): string | undefined {
    if (!this.homes.has(uid)) this.name(uid);
    return this.homes.get(uid);
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
    const entries = parsePasswd(text);
    this.names = new Map([...entries].map(([uid, e]) => [uid, e.name]));
    this.homes = new Map([...entries].map(([uid, e]) => [uid, e.home]));
  }
}

/** uid → name and home directory; the first entry of a uid wins. */
export function parsePasswd(text: string): Map<number, { name: string; home: string }> {
  const users = new Map<number, { name: string; home: string }>();
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 3 || !f[0]) continue;
    const uid = Number(f[2]);
    if (Number.isInteger(uid) && uid >= 0 && !users.has(uid)) users.set(uid, { name: sanitizeText(f[0]), home: f[5] ?? "" });
  }
  return users;
}
