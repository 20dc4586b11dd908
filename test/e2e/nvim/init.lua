-- Neovim (Debian 0.7.2) as a second real LSP client for lockscope: headless, no plugins.
-- SERVER_JS=dist/server.js ROOT=<workspace> nvim --headless -u init.lua <file.c>
-- Prints DIAG/HOVER lines and exits 0 when the expected diagnostic and hover came from the server.
local server_js = os.getenv('SERVER_JS')
local root = os.getenv('ROOT')
local want_code = os.getenv('WANT_CODE') or 'recursive-lock'
local want_line = tonumber(os.getenv('WANT_LINE') or '0')
local hover_line = tonumber(os.getenv('HOVER_LINE') or '1')
local timeout_ms = tonumber(os.getenv('LSP_TIMEOUT_MS') or '60000')

local function out(s) io.stdout:write(s .. '\n') end
local function finish(code)
  for _, c in pairs(vim.lsp.get_active_clients()) do c.stop() end
  vim.wait(3000, function() return #vim.lsp.get_active_clients() == 0 end, 50)
  io.stdout:flush()
  if code == 0 then vim.cmd('qall!') else vim.cmd('cquit ' .. code) end
end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'c'
  local client_id = vim.lsp.start_client({
    name = 'lockscope',
    cmd = { 'node', server_js, '--stdio' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = 'tree' } },
  })
  if not client_id then out('FAIL: start_client returned nil'); return finish(2) end
  vim.lsp.buf_attach_client(bufnr, client_id)

  local function wanted()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if tostring(d.code) == want_code and d.lnum + 1 == want_line then return d end
    end
  end
  if not vim.wait(timeout_ms, function() return wanted() ~= nil end, 100) then
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do out(('DIAG line=%d code=%s'):format(d.lnum + 1, tostring(d.code))) end
    out('FAIL: no ' .. want_code .. ' on line ' .. want_line); return finish(3)
  end
  local d = wanted()
  out(('DIAG line=%d col=%d code=%s source=%s msg=%s'):format(d.lnum + 1, d.col + 1, tostring(d.code), tostring(d.source), d.message))

  vim.api.nvim_win_set_cursor(0, { hover_line, 4 })
  local results = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', vim.lsp.util.make_position_params(), timeout_ms)
  local hover = ''
  for _, r in pairs(results or {}) do
    if r.result and r.result.contents then hover = r.result.contents.value or vim.inspect(r.result.contents) end
  end
  out('HOVER ' .. hover:gsub('\n', ' | '))
  local ok = d.source == 'lockscope' and hover:find('i_rwsem', 1, true) ~= nil
  out('RESULT ' .. tostring(ok))
  finish(ok and 0 or 1)
end

vim.api.nvim_create_autocmd('VimEnter', { once = true, callback = function()
  local ok, e = pcall(run)
  if not ok then out('FAIL: ' .. tostring(e)); finish(5) end
end })
