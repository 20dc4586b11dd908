// The call graph in a dark theme (issue 15, item 4), for run.mjs: switch VS Code to Dark Modern, open Show
// Call-Graph Report on the seed-000 call, check that the page takes the theme's colours (dark background, light
// text, no white box), zoom in with the toolbar and find a function with the search box, and take
// 05-call-graph-dark.png. Waits on DOM states, never sleeps.

/** Parse `rgb(r, g, b)` into its lightness (0 dark .. 255 light). */
const lightness = (css) => {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css ?? '');
  return m ? (Number(m[1]) + Number(m[2]) + Number(m[3])) / 3 : NaN;
};

export async function graphSteps({ page, check, shot, palette, choose, goToLine, webview, callLine, STEP }) {
  // (the palette also lists "Browse Color Themes in Marketplace": pick the command by its exact label)
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget .quick-input-box input').fill('>Preferences: Color Theme');
  await page.locator('.quick-input-widget .monaco-list-row[aria-label^="Preferences: Color Theme"]').first().click();
  await choose(page, 'Dark Modern', 'Dark Modern');
  await page.locator('.monaco-workbench.vs-dark').waitFor({ state: 'attached', timeout: STEP });

  // room for the graph: close the other editors and the panel, reopen the file, put the cursor on the call
  await palette(page, 'View: Close All Editors');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP });
  await page.keyboard.press('Control+P');
  const qi = page.locator('.quick-input-widget .quick-input-box input');
  await qi.waitFor({ state: 'visible', timeout: STEP });
  await qi.fill('fs/btrfs/file.c');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'file.c' }).first().waitFor({ timeout: STEP });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .view-line').first().waitFor({ timeout: STEP });
  await page.locator('.markers-panel').waitFor({ state: 'visible', timeout: STEP });
  await page.keyboard.press('Control+J'); // hide the panel
  await page.locator('.markers-panel').waitFor({ state: 'hidden', timeout: STEP });
  await goToLine(page, callLine);
  await palette(page, 'lockscope: Show Call-Graph Report');
  await choose(page, '8', '8');
  const graph = webview(page);
  const svg = graph.locator('#graph svg');
  await svg.locator('g.edge').first().waitFor({ timeout: STEP });
  // the graph alone in the window: close the source beside it (its group goes, the graph's panel widens)
  await page.keyboard.press('Control+1');
  await page.keyboard.press('Control+W');
  await page.locator('.tabs-container .tab', { hasText: 'file.c' }).waitFor({ state: 'detached', timeout: STEP });

  // the theme's colours: a dark page, light text in the boxes, no white box behind the graph
  const bodyBg = await graph
    .locator('body')
    .evaluate((b) => b.ownerDocument.defaultView.getComputedStyle(b).backgroundColor);
  const textFill = await svg
    .locator('g.node text')
    .first()
    .evaluate((t) => t.ownerDocument.defaultView.getComputedStyle(t).fill);
  // (Graphviz draws no background with bgcolor=transparent; if it did, the page's style would clear it)
  const paneFill = (
    await svg
      .locator('g.graph > polygon')
      .evaluateAll((ps) => ps.map((p) => p.ownerDocument.defaultView.getComputedStyle(p).fill))
  ).join(' ');
  check(
    'call graph in a dark theme: dark page, light text, no white box',
    lightness(bodyBg) < 80 && lightness(textFill) > 150 && !/255, 255, 255/.test(paneFill),
    `background ${bodyBg}, text ${textFill}, pane ${paneFill}`,
  );

  // zoom in twice with the toolbar: the viewBox (the camera) narrows
  const width = async () => Number(((await svg.getAttribute('viewBox')) ?? '').split(/[ ,]+/)[2]);
  await graph.locator('button[data-zoom="fit"]').click(); // the whole graph in the widened panel
  const before = await width();
  await graph.locator('button[data-zoom="in"]').click();
  await graph.locator('button[data-zoom="in"]').click();
  const after = await width();
  // the search box marks the matching boxes and centres the first
  await graph.locator('#search').fill('iomap_dio');
  await graph.locator('#count', { hasText: /^1\/\d+$/ }).waitFor({ timeout: STEP });
  const marked = await svg.locator('g.node.match').allTextContents();
  check(
    'zoom and search in the call graph',
    after < before / 2 && marked.length >= 2 && marked.every((t) => /iomap_dio/.test(t)),
    `viewBox width ${before} -> ${after}, ${marked.length} marked`,
  );
  await shot(page, '05-call-graph-dark.png');
}
