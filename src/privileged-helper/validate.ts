/** The one argument check that needs system state: the interface exists. */
import { readdirSync } from 'node:fs';

const SYS_NET = '/sys/class/net';

/** True for `any` or a name listed in /sys/class/net (listed, not just resolvable: `..` must not pass). */
export function interfaceExists(name: string): boolean {
  if (name === 'any') return true;
  try {
    return readdirSync(SYS_NET).includes(name);
  } catch {
    return false;
  }
}
