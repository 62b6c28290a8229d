-- make_data.lua DIR -- writes a small Fashion-MNIST-shaped data set (the four IDX files
-- with their real names, gzip-free) for end-to-end tests: 10 classes of 28x28 images,
-- class c brightens a 7x7 block at a position of its own, on noise.
local dir = assert(arg[1], "usage: make_data.lua DIR")
local function idx(path, dims, bytes)
  local f = assert(io.open(path, "wb"))
  f:write(string.pack(">BBBB", 0, 0, 8, #dims))
  for _, d in ipairs(dims) do f:write(string.pack(">I4", d)) end
  f:write(bytes)
  f:close()
end
local seed = 12345
local function rand(n) -- a small LCG; reproducible everywhere
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n
end
local function make(prefix, n)
  local images, labels = {}, {}
  for i = 1, n do
    local c = rand(10)
    labels[i] = string.char(c)
    local br, bc = (c // 4) * 7, (c % 4) * 7
    local px = {}
    for r = 0, 27 do
      for k = 0, 27 do
        local v = rand(100)
        if r >= br and r < br + 7 and k >= bc and k < bc + 7 then v = v + 150 end
        px[#px + 1] = string.char(v)
      end
    end
    images[i] = table.concat(px)
  end
  idx(dir .. "/" .. prefix .. "-images-idx3-ubyte", { n, 28, 28 }, table.concat(images))
  idx(dir .. "/" .. prefix .. "-labels-idx1-ubyte", { n }, table.concat(labels))
end
make("train", 1500)
make("t10k", 500)
