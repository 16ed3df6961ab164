// Compiles the helper's eBPF program (src/privileged-helper/bpf) into the object the helper bundle ships. CO-RE:
// vmlinux.h is generated here from the build machine's kernel BTF and never committed; the object is relocated
// against the running kernel's BTF when the helper loads it. DWARF is stripped (the BTF the loader needs stays).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const BPF_SOURCE = 'src/privileged-helper/bpf/socket-events.bpf.c';
export const BPF_OBJECT_NAME = 'socket-events.bpf.o';
const KERNEL_BTF = '/sys/kernel/btf/vmlinux';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); the eBPF build needs clang, llvm and bpftool (Debian: apt-get install clang llvm libbpf-dev bpftool)`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr.toString()}`);
  return r.stdout;
}

const sha = (b) => createHash('sha256').update(b).digest('hex');

/** Writes the object to `outFile`; recompiles only when the source, the headers' kernel BTF or the object changed. */
export function buildBpfObject(root, outFile) {
  if (!existsSync(KERNEL_BTF)) throw new Error(`${KERNEL_BTF} is missing: the eBPF program is built against the kernel's BTF (CONFIG_DEBUG_INFO_BTF)`);
  const cache = path.join(root, 'dist/.bpf-build');
  mkdirSync(cache, { recursive: true });
  const source = path.join(root, BPF_SOURCE);
  const vmlinux = run('bpftool', ['btf', 'dump', 'file', KERNEL_BTF, 'format', 'c']);
  const key = sha(Buffer.concat([readFileSync(source), Buffer.from(sha(vmlinux))]));
  const cached = path.join(cache, BPF_OBJECT_NAME);
  const keyFile = `${cached}.key`;
  if (!(existsSync(cached) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key)) {
    writeFileSync(path.join(cache, 'vmlinux.h'), vmlinux);
    const raw = `${cached}.tmp-${process.pid}`;
    run('clang', ['-O2', '-g', '-target', 'bpf', '-D__TARGET_ARCH_x86', '-Wall', '-Werror', '-I', cache, '-c', source, '-o', raw]);
    run('llvm-strip', ['-g', raw]);
    renameSync(raw, cached);
    writeFileSync(keyFile, key);
  }
  if (statSync(cached).size === 0) throw new Error(`${cached} is empty`);
  copyFileSync(cached, outFile);
}
