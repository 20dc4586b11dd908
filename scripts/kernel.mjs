// The Linux 6.1 tree for corpus runs and benchmarks: Debian's linux-source-6.1, fetched with
// `apt-get download` into a cache folder outside git ($LOCKSCOPE_KERNEL_CACHE, default ~/.cache/lockscope-kernel:
// beside, not inside, the analysis cache ~/.cache/lockscope, which refuses a folder holding files not its own)
// and partly unpacked (fs/ include/ mm/ block/ Documentation/filesystems). Never committed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOTS = ['fs', 'include', 'mm', 'block'];

/**
 * The package version the triage record (test/corpus/triage-6.1.md) and the benchmarks were made on. Pinned:
 * `apt-get download linux-source-6.1` alone takes the newest (bookworm-security moves on), whose findings differ.
 */
export const KERNEL_VERSION = '6.1.176-1';
const DEB = `linux-source-6.1_${KERNEL_VERSION}_all.deb`;

export function defaultKernelCache() {
  return process.env.LOCKSCOPE_KERNEL_CACHE || path.join(os.homedir(), '.cache', 'lockscope-kernel');
}

/** The 6.1 tree: given, cached, or downloaded from Debian and partly unpacked; `log` says what it does. */
export function kernelTree({ kernel, cache = defaultKernelCache(), log = (m) => console.error(m) } = {}) {
  if (kernel) return path.resolve(kernel);
  // one folder per version: a tree of another version is never mixed in, nor deleted
  const dest = path.join(cache, KERNEL_VERSION, 'linux-source-6.1');
  const deb = path.join(cache, DEB);
  if (fs.existsSync(path.join(dest, 'include', 'linux'))) return dest;
  fs.mkdirSync(cache, { recursive: true });
  log(`fetching linux-source-6.1 ${KERNEL_VERSION} into ${cache} (apt-get download; once)`);
  if (!fs.existsSync(deb)) {
    const get = () =>
      execFileSync('apt-get', ['download', `linux-source-6.1=${KERNEL_VERSION}`], { cwd: cache, stdio: 'inherit' });
    try {
      get();
    } catch {
      // a fresh machine may have no package lists yet
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
      get();
    }
  }
  const pkg = path.join(cache, 'pkg');
  execFileSync('dpkg-deb', ['-x', deb, pkg], { stdio: 'inherit' });
  const tarball = path.join(pkg, 'usr', 'src', 'linux-source-6.1.tar.xz');
  // unpacked beside, then renamed: an interrupted run never leaves a half tree that looks whole
  const partial = `${path.dirname(dest)}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  execFileSync(
    'tar',
    ['-xJf', tarball, '-C', partial, ...[...ROOTS, 'Documentation/filesystems'].map((d) => `linux-source-6.1/${d}`)],
    { stdio: 'inherit' },
  );
  fs.rmSync(path.dirname(dest), { recursive: true, force: true });
  fs.renameSync(partial, path.dirname(dest));
  return dest;
}
