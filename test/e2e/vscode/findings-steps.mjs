// The findings view and the step walk in a real VS Code (called once from run.mjs, after its own steps, with its
// page and helpers). The quill files of test/trees/findings-view are copied into the workspace and the tree is
// re-indexed: the view must refresh by itself and list them beside btrfs's finding, though none is opened. Then
// the btrfs finding is expanded, its first step clicked, and the path walked with Next Finding Step (ctrl+F8)
// into fs/iomap/direct-io.c, where the step must be highlighted; Previous Finding Step (ctrl+shift+F8) goes
// back. Screenshots: 06-findings-view.png, 07-step-highlighted.png. Waits on DOM states, never sleeps.
/* global document, getComputedStyle -- in page.evaluate, run by the browser */
import * as fs from 'node:fs';
import * as path from 'node:path';

export async function findingsSteps({ page, palette, shot, check, log, STEP, ws, repo }) {
  const src = path.join(repo, 'test', 'trees', 'findings-view');
  fs.cpSync(path.join(src, 'fs', 'quill'), path.join(ws, 'fs', 'quill'), { recursive: true });
  fs.cpSync(path.join(src, 'include', 'linux', 'quill.h'), path.join(ws, 'include', 'linux', 'quill.h'));
  // room for the walk: one editor group, no panel
  await palette(page, 'View: Close All Editor Groups');
  // (VS Code offers Hide Panel only while the panel shows; the call-graph steps before may have hidden it)
  if (await page.locator('.part.panel').first().isVisible()) await palette(page, 'View: Hide Panel');
  await palette(page, 'lockscope: Re-index Workspace');
  await palette(page, 'Focus on Findings View');
  const view = page.locator('.monaco-list[aria-label="Findings"]').first();
  await view.waitFor({ state: 'visible', timeout: STEP });
  const row = (text) => view.locator('.monaco-list-row', { hasText: text }).first();
  // the new files come in when indexing is done, without a refresh by hand
  await row('fs/quill/super.c').waitFor({ timeout: STEP });
  // a wider side bar, so the screenshots show whole labels (the sash on its right edge)
  const side = await page.locator('.part.sidebar').boundingBox();
  await page.mouse.move(side.x + side.width, side.y + 300);
  await page.mouse.down();
  await page.mouse.move(side.x + 560, side.y + 300, { steps: 5 });
  await page.mouse.up();
  await palette(page, 'Notifications: Clear All Notifications');
  const files = (await view.locator('.monaco-list-row[aria-level="1"]').allInnerTexts()).map((s) =>
    s.replace(/\s+/g, ' '),
  );
  check(
    'the findings view lists the whole tree, files never opened included',
    ['fs/btrfs/file.c', 'fs/quill/file.c', 'fs/quill/flush.c', 'fs/quill/super.c'].every((f) =>
      files.some((x) => x.startsWith(f)),
    ),
    files.join(' | '),
  );
  const kinds = (await view.locator('.monaco-list-row[aria-level="2"]').allInnerTexts()).map(
    (s) => /^\s*([a-z-]+)/.exec(s)?.[1],
  );
  check(
    'grouped by kind under each file',
    ['recursive-lock', 'lock-imbalance', 'sleep-in-atomic', 'double-unlock'].every((k) => kinds.includes(k)),
    kinds.join(', '),
  );

  // expand btrfs's finding (the first file) by its twistie: its ten path steps appear below it
  const finding = view.locator('.monaco-list-row[aria-level="3"]', { hasText: 'possible recursive locking' }).first();
  await finding.locator('.monaco-tl-twistie').click();
  await row('10. btrfs_sync_file').waitFor({ timeout: STEP });
  const steps = await view.locator('.monaco-list-row[aria-level="4"]').count();
  check('a finding expands to its path steps', steps === 10, `${steps} steps`);

  // the first step opens its place; ctrl+F8 walks on, the view selecting the step it is at
  await row('1. btrfs_file_write_iter').click();
  const selected = view.locator('.monaco-list-row.selected');
  await selected.filter({ hasText: '1. btrfs_file_write_iter' }).waitFor({ timeout: STEP });
  await page.locator('.monaco-editor .view-line', { hasText: 'inode_lock(inode)' }).first().waitFor({ timeout: STEP });
  await page.locator('.monaco-editor textarea').first().focus();
  for (const n of [2, 3, 4, 5]) {
    await page.keyboard.press('Control+F8');
    await selected.filter({ hasText: new RegExp(`^\\s*${n}\\.`) }).waitFor({ timeout: STEP });
  }
  const tab = page.locator('.editor-group-container.active .tab.active');
  await tab.filter({ hasText: 'direct-io.c' }).waitFor({ timeout: STEP });
  await page.locator('.monaco-editor .view-line', { hasText: 'iomap_dio_complete(dio)' }).first().waitFor();
  // elements drawn in the step colours of the theme in force (package.json's contributes.colors)
  const highlighted = await page.evaluate(() => {
    const css = getComputedStyle(document.querySelector('.monaco-workbench'));
    const probe = document.createElement('div');
    document.body.append(probe);
    const colour = (name) => {
      probe.style.backgroundColor = css.getPropertyValue(name).trim();
      return getComputedStyle(probe).backgroundColor;
    };
    const want = [
      colour('--vscode-lockscope-currentStepBackground'),
      colour('--vscode-lockscope-currentStepLineBackground'),
    ];
    probe.remove();
    const editor = document.querySelector('.editor-group-container.active .monaco-editor');
    return [...editor.querySelectorAll('.view-overlays div, .view-lines span')].filter((e) =>
      want.includes(getComputedStyle(e).backgroundColor),
    ).length;
  });
  check(
    'ctrl+F8 walks to step 5 in fs/iomap/direct-io.c, highlighted',
    highlighted >= 2 && /direct-io\.c/.test(await tab.innerText()),
    `${highlighted} highlighted elements`,
  );
  await shot(page, '07-step-highlighted.png');
  await page.keyboard.press('Control+Shift+F8');
  await selected.filter({ hasText: /^\s*4\./ }).waitFor({ timeout: STEP });
  await tab.filter({ hasText: 'file.c' }).waitFor({ timeout: STEP });
  check('ctrl+shift+F8 walks back to step 4', true);
  await page.locator('.monaco-editor textarea').first().focus();
  await row('fs/quill/file.c').locator('.monaco-tl-twistie').waitFor();
  await shot(page, '06-findings-view.png');
  log('findings view and step walk done');
}
