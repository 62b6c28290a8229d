#!/usr/bin/env python3
"""png_stats.py FILE.png -- print "WIDTHxHEIGHT colors=N ink=F" for an 8-bit RGB(A) PNG:
the number of distinct pixel colours and the fraction of pixels that are not white.
Standard library only (zlib, struct): the report tests need no imaging package."""
import struct
import sys
import zlib


def rows(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG file" % path)
    pos, idat, width = 8, [], 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                sys.exit("%s: expected 8-bit RGB or RGBA, not interlaced" % path)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        yield width, height, bpp, line
        prev = line


def main():
    colors, ink, n, size = set(), 0, 0, ""
    for width, height, bpp, line in rows(sys.argv[1]):
        size = "%dx%d" % (width, height)
        for x in range(0, len(line), bpp):
            px = bytes(line[x:x + 3])
            colors.add(px)
            n += 1
            if px != b"\xff\xff\xff":
                ink += 1
    print("%s colors=%d ink=%.4f" % (size, len(colors), ink / max(n, 1)))


main()
