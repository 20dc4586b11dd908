// A real VS Code: code-server 4.100.3 (VS Code 1.100.3) with the packaged lockscope.vsix installed, driven by
// Playwright in Debian's chromium. It reproduces the seed-000 investigation as a developer would: open the
// 5.9-shape tree, see the recursive-lock squiggle and its Problems entry, hover to read the held inode lock,
// walk the finding's path with Explain Finding, and open Show Call-Graph Report and Show Lock-Order Graph from
// the command palette and check the rendered graphs. Screenshots go to test-artifacts/e2e-vscode/.
// `npm run test:e2e` (installs the host with test/e2e/vscode/install.sh first). Waits on DOM states, never sleeps.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');
const require = createRequire(path.join(here, 'host', 'package.json'));
const { chromium } = require('playwright-core');
const CS_BIN = path.join(here, 'host', 'node_modules', '.bin', 'code-server');
const VSIX = path.join(repo, 'lockscope.vsix');
const OUT = path.join(repo, 'test-artifacts', 'e2e-vscode');
const HOST = '127.0.0.1';
const STEP = 60000;
const CALL_LINE =
  fs
    .readFileSync(path.join(repo, 'test', 'trees', 'seed000-5.9', 'fs', 'btrfs', 'file.c'), 'utf8')
    .split('\n')
    .findIndex((l) => /num_written = btrfs_direct_write\(iocb, from\); \/\* expect: recursive-lock/.test(l)) + 1;

const run = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-e2e-'));
const ws = path.join(run, 'seed000-5.9');
fs.cpSync(path.join(repo, 'test', 'trees', 'seed000-5.9'), ws, { recursive: true });
const userData = path.join(run, 'user-data');
const extDir = path.join(run, 'extensions');
const xdg = {
  XDG_CONFIG_HOME: path.join(run, 'xdg-config'),
  XDG_DATA_HOME: path.join(run, 'xdg-data'),
  XDG_CACHE_HOME: path.join(run, 'xdg-cache'),
  XDG_STATE_HOME: path.join(run, 'xdg-state'),
};
const env = { ...process.env, ...xdg };
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });

const t0 = Date.now();
const log = (m) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}\n`);
const checks = [];
const check = (name, ok, detail = '') => {
  checks.push({ name, ok });
  log(`${ok ? 'ok' : 'FAILED'}: ${name}${detail ? ` — ${detail}` : ''}`);
};

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, HOST, () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}
function waitHttp(url, ms) {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const once = () => {
      const req = http.get(url, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', () =>
        Date.now() > until ? reject(new Error(`timeout waiting for ${url}`)) : setTimeout(once, 200),
      );
    };
    once();
  });
}
function descendants(pid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid)
        out.push(Number(d), ...descendants(Number(d)));
    } catch {
      /* gone */
    }
  }
  return out;
}
const shot = async (page, name) => {
  await page.screenshot({ path: path.join(OUT, name) });
  log(`screenshot ${name}`);
};

async function palette(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: STEP });
  await input.fill(`>${title}`);
  await page
    .locator('.quick-input-widget .monaco-list-row', { hasText: title })
    .first()
    .waitFor({ state: 'visible', timeout: STEP });
  await page.keyboard.press('Enter');
}

/** In an open quick pick: wait for the row showing `row`, type `typed` to select it, accept. */
async function choose(page, row, typed) {
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: row }).first().waitFor({ timeout: STEP });
  await page.locator('.quick-input-widget .quick-input-box input').fill(typed);
  await page.keyboard.press('Enter');
}

async function goToLine(page, line) {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: STEP });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: STEP });
}

/** The content frame of the newest webview (VS Code nests it: iframe.webview > iframe#active-frame). */
function webview(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

let cs;
let browser;
try {
  if (!fs.existsSync(CS_BIN))
    throw new Error(`code-server is not installed: run sh test/e2e/vscode/install.sh (${CS_BIN})`);
  if (!fs.existsSync(VSIX)) throw new Error('lockscope.vsix is missing: run npm run package');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'git.enabled': false,
        'editor.hover.delay': 300,
        'window.restoreWindows': 'none',
        'chat.disableAIFeatures': true,
      },
      null,
      2,
    ),
  );
  log(
    execFileSync(CS_BIN, ['--user-data-dir', userData, '--extensions-dir', extDir, '--install-extension', VSIX], {
      encoding: 'utf8',
      env,
    }).trim(),
  );

  const port = await freePort();
  cs = spawn(
    CS_BIN,
    [
      '--bind-addr',
      `${HOST}:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir',
      userData,
      '--extensions-dir',
      extDir,
      ws,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  const csLog = fs.createWriteStream(path.join(OUT, 'code-server.log'));
  cs.stdout.pipe(csLog);
  cs.stderr.pipe(csLog);
  await waitHttp(`http://${HOST}:${port}/healthz`, 90000);
  log('code-server is up');

  browser = await chromium.launchPersistentContext(path.join(run, 'chrome-profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1500, height: 950 },
    env,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') fs.appendFileSync(path.join(OUT, 'browser-console.log'), `${m.text()}\n`);
  });
  await page.goto(`http://${HOST}:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: STEP });
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'fs' }).first().waitFor({ timeout: STEP });
  log('workbench loaded');

  // 1. open fs/btrfs/file.c (the write path) with Quick Open
  await page.keyboard.press('Control+P');
  const qi = page.locator('.quick-input-widget .quick-input-box input');
  await qi.waitFor({ state: 'visible', timeout: STEP });
  await qi.fill('fs/btrfs/file.c');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'file.c' }).first().waitFor({ timeout: STEP });
  await page.keyboard.press('Enter');
  await page
    .locator('.monaco-editor .view-line', { hasText: 'btrfs_file_write_iter' })
    .first()
    .waitFor({ timeout: STEP });

  // go to the call (Monaco renders only the lines in view; it draws spaces as no-break spaces: match with \s)
  await goToLine(page, CALL_LINE);

  // 2. the squiggle, and the Problems entry with lockdep's words
  await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'attached', timeout: STEP });
  check('recursive-lock squiggle in the editor', true);
  await palette(page, 'View: Focus Problems');
  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'possible recursive locking' }).first();
  await problem.waitFor({ state: 'visible', timeout: STEP });
  const problemText = (await problem.innerText()).replace(/\s+/g, ' ');
  check(
    'Problems lists the recursive inode lock',
    /i_rwsem/.test(problemText) && /btrfs_direct_write/.test(problemText),
    problemText,
  );
  await shot(page, '01-diagnostic-and-problems.png');

  // 3. hover on the other branch's call (no diagnostic there): the inode lock held, where it was taken
  const buffered = page
    .locator('.monaco-editor .view-line', { hasText: /num_written\s*=\s*btrfs_buffered_write/ })
    .first();
  await buffered.waitFor({ timeout: STEP });
  const token = buffered.locator('span span', { hasText: 'btrfs_buffered_write' }).first();
  await token.hover();
  const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content', { hasText: 'Held here' }).first();
  try {
    await hover.waitFor({ state: 'visible', timeout: 10000 });
  } catch {
    const box = await token.boundingBox();
    await page.mouse.move(box.x + 3, box.y + box.height / 2);
    await page.mouse.move(box.x + 8, box.y + box.height / 2);
    await hover.waitFor({ state: 'visible', timeout: STEP });
  }
  const hoverText = (await hover.innerText()).replace(/\s+/g, ' ');
  check(
    'hover shows the inode lock held and where it was taken',
    /&inode->i_rwsem/.test(hoverText) && /inode_lock/.test(hoverText),
    hoverText.slice(0, 200),
  );
  await shot(page, '02-hover.png');
  await page.keyboard.press('Escape');

  // 4. Explain Finding on the call's line: walk to btrfs_sync_file. When several findings share the line
  // (a forbidden call reported apart from the recursive lock), a picker asks which: pick the recursive lock.
  await goToLine(page, CALL_LINE);
  await palette(page, 'lockscope: Explain Finding');
  const stepOrPick = page
    .locator('.quick-input-widget .monaco-list-row', { hasText: /possible recursive locking|btrfs_sync_file/ })
    .first();
  await stepOrPick.waitFor({ timeout: STEP });
  const placeholder = await page.locator('.quick-input-widget .quick-input-box input').getAttribute('placeholder');
  if (/Which finding/.test(placeholder ?? '')) await choose(page, 'possible recursive locking', 'recursive');
  const steps = page.locator('.quick-input-widget .monaco-list-row');
  await page
    .locator('.quick-input-widget .monaco-list-row', { hasText: 'btrfs_sync_file' })
    .first()
    .waitFor({ timeout: STEP });
  const stepTexts = (await steps.allInnerTexts()).map((s) => s.replace(/\s+/g, ' '));
  check(
    'Explain Finding lists the path to btrfs_sync_file',
    stepTexts.length >= 5 && stepTexts.some((s) => /fsync/.test(s)),
    `${stepTexts.length} steps`,
  );
  await shot(page, '03-explain-finding.png');
  await page.keyboard.press('Escape');

  // 5. Show Call-Graph Report (depth 8): a Graphviz graph in a webview, the finding's path drawn red
  await goToLine(page, CALL_LINE);
  await palette(page, 'lockscope: Show Call-Graph Report');
  await choose(page, '8', '8');
  const graph = webview(page);
  await graph.locator('svg g.edge').first().waitFor({ timeout: STEP });
  const edges = await graph.locator('svg g.edge').count();
  const red = await graph.locator('svg g.edge path[stroke="red"]').count();
  const nodes = await graph.locator('svg g.node').allTextContents(); // SVG text has no innerText
  check(
    'call-graph report renders the graph with the finding path in red',
    // (->fsync is drawn only to the filesystem's own btrfs_sync_file, as the analysis resolves it: the ext4 and
    // xfs ->fsync edges the report used to add are gone; the trivial file_inode is folded: the path's 7 edges)
    edges >= 7 &&
      red >= 5 &&
      nodes.some((n) => /btrfs_sync_file/.test(n)) &&
      !nodes.some((n) => /ext4_sync_file/.test(n)),
    `${edges} edges, ${red} red`,
  );
  await shot(page, '04-call-graph.png');

  // 6. Show Lock-Order Graph (all edges): the tree's one order edge, xfs's iolock then ilock
  await palette(page, 'lockscope: Show Lock-Order Graph');
  await choose(page, 'All order edges', 'All order edges');
  await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: STEP });
  await page.keyboard.press('Enter'); // no class filter
  const order = webview(page);
  await order.locator('h2', { hasText: 'Lock-order graph' }).waitFor({ timeout: STEP });
  const heading = await order.locator('h2').innerText();
  const orderNodes = await order.locator('svg g.node').allTextContents();
  check(
    'lock-order graph shows the classes and the edge',
    /1 edge,/.test(heading) && orderNodes.some((n) => /xfs_inode::i_lock/.test(n)),
    heading,
  );
  await shot(page, '05-lock-order.png');

  // 7. the status bar counts the findings
  const status = page.locator('.statusbar-item', { hasText: 'lockscope:' }).first();
  await status.waitFor({ timeout: STEP });
  const statusText = await status.innerText();
  check('status bar shows the finding count', /lockscope: [1-9]/.test(statusText), statusText);
  await (
    await import('./graph-steps.mjs')
  ).graphSteps({ page, check, shot, palette, choose, goToLine, webview, callLine: CALL_LINE, STEP });
  await (await import('./findings-steps.mjs')).findingsSteps({ page, palette, shot, check, log, STEP, ws, repo });
} catch (e) {
  check('the run finished', false, String(e?.stack ?? e));
  try {
    const p = browser?.pages()[0];
    if (p) await shot(p, '99-failure.png');
  } catch {
    /* no page */
  }
} finally {
  try {
    await browser?.close();
  } catch {
    /* gone */
  }
  if (cs)
    for (const pid of [...descendants(cs.pid).reverse(), cs.pid]) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
  try {
    fs.cpSync(path.join(userData, 'logs'), path.join(OUT, 'logs'), { recursive: true });
  } catch {
    /* none */
  }
  fs.rmSync(run, { recursive: true, force: true });
}
const failed = checks.filter((c) => !c.ok).length;
process.stdout.write(
  `vscode: ${checks.length - failed} passed, ${failed} failed (artifacts in ${path.relative(repo, OUT)}/)\n`,
);
process.exitCode = failed || !checks.length ? 1 : 0;
