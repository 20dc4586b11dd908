// The Linux 6.1 tree for corpus runs and benchmarks: Debian's linux-source-6.1, fetched with
// `apt-get download` into a cache folder outside git ($LOCKSCOPE_KERNEL_CACHE, default ~/.cache/lockscope/linux)
// and partly unpacked (fs/ include/ mm/ block/ Documentation/filesystems). Never committed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOTS = ['fs', 'include', 'mm', 'block'];

export function defaultKernelCache() {
  return process.env.LOCKSCOPE_KERNEL_CACHE || path.join(os.homedir(), '.cache', 'lockscope', 'linux');
}

/** The 6.1 tree: given, cached, or downloaded from Debian and partly unpacked; `log` says what it does. */
export function kernelTree({ kernel, cache = defaultKernelCache(), log = (m) => console.error(m) } = {}) {
  if (kernel) return path.resolve(kernel);
  const dest = path.join(cache, 'linux-source-6.1');
  if (fs.existsSync(path.join(dest, 'include', 'linux'))) return dest;
  fs.mkdirSync(cache, { recursive: true });
  log(`fetching linux-source-6.1 into ${cache} (apt-get download; once)`);
  let deb = fs.readdirSync(cache).find((f) => /^linux-source-6\.1_.*\.deb$/.test(f));
  if (!deb) {
    try {
      execFileSync('apt-get', ['download', 'linux-source-6.1'], { cwd: cache, stdio: 'inherit' });
    } catch {
      // a fresh machine may have no package lists yet
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
      execFileSync('apt-get', ['download', 'linux-source-6.1'], { cwd: cache, stdio: 'inherit' });
    }
    deb = fs.readdirSync(cache).find((f) => /^linux-source-6\.1_.*\.deb$/.test(f));
  }
  const pkg = path.join(cache, 'pkg');
  execFileSync('dpkg-deb', ['-x', path.join(cache, deb), pkg], { stdio: 'inherit' });
  const tarball = path.join(pkg, 'usr', 'src', 'linux-source-6.1.tar.xz');
  execFileSync(
    'tar',
    ['-xJf', tarball, '-C', cache, ...[...ROOTS, 'Documentation/filesystems'].map((d) => `linux-source-6.1/${d}`)],
    { stdio: 'inherit' },
  );
  return dest;
}
