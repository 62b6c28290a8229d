-- winit.plot.xy: a series with dashed = true is a dashed line without points, and
-- color = k gives it the palette's k-th colour (a prediction beside its measurement);
-- results:report's figures take the same two keys.
local winit = require 'winit'
local function svg(pred)
  return winit.plot.xy { title = 't', series = {
    { label = 'measured', x = { 1, 2, 3 }, y = { 1, 2, 3 } },
    { label = 'other', x = { 1, 2, 3 }, y = { 3, 2, 1 } },
    pred } }
end
local function count(s, pat)
  local n = 0
  for _ in s:gmatch(pat) do n = n + 1 end
  return n
end
-- The measured series' colour: the stroke of the first polyline.
local plain = svg({ label = 'predicted', x = { 1, 2, 3 }, y = { 1, 2.1, 3.2 } })
local first = plain:match('<polyline fill="none" stroke="(#%x+)" stroke%-width="2" points=')
assert(first, 'a solid polyline for the first series')
assert(count(plain, 'stroke%-dasharray') == 0, 'no dashes without dashed = true')
local plain_points = count(plain, '<circle ')
local s = svg({ label = 'predicted', x = { 1, 2, 3 }, y = { 1, 2.1, 3.2 }, dashed = true, color = 1 })
local c = s:match('<polyline fill="none" stroke="(#%x+)" stroke%-width="2" stroke%-dasharray="6 4" points=')
assert(c == first, ('the dashed line takes colour 1 (%s), got %s'):format(first, tostring(c)))
-- the dashed series draws no points: four fewer circles than when it is solid (its three
-- points and its legend's, now a dashed stroke)
assert(count(s, '<circle ') == plain_points - 4, ('%d circles, solid %d'):format(count(s, '<circle '), plain_points))
local ok, e = pcall(svg, { x = { 1 }, y = { 1 }, color = 17 })
assert(not ok and tostring(e):find("'color'", 1, true), tostring(e))
ok, e = pcall(svg, { x = { 1 }, y = { 1 }, dashed = 'yes' })
assert(not ok and tostring(e):find("'dashed'", 1, true), tostring(e))
