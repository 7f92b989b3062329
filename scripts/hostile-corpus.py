"""Generate the hostile-input corpus (never downloaded): bad files that must be refused with a
specific message, and good-but-odd photos that must load the right way up with the right colours.

Usage: hostile-corpus.py OUT_DIR PHOTO   (run through scripts/hostile-corpus, which installs Pillow)

Writes OUT_DIR/*.{jpg,png,...} and OUT_DIR/manifest.json: one entry per file with
  refuse: the kind of message expected (tests/e2e/hostile.test.mjs maps kinds to wording), or
  load:   the expected upright size and either colour patches ([x, y, [r, g, b]] in upright
          pixels) or "like" (compare with the reference photo PHOTO, in colour or in grey).
Everything is deterministic (fixed seeds), so the same script gives the same bytes.
"""

import io
import json
import random
import struct
import sys
import zlib
from pathlib import Path

from PIL import Image, ImageOps
import pillow_heif

out = Path(sys.argv[1])
photo_path = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
manifest = []
rng = random.Random(20261124)


def save(name, data, **entry):
    (out / name).write_bytes(data)
    manifest.append({"file": name, **entry})


def encode(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def refuse(name, data, kind):
    save(name, data, refuse=kind)


# Sources: the shared photo (real skin, hair and JPEG history) and synthetic colour patches.
photo = Image.open(photo_path).convert("RGB")
PW, PH = photo.size

PATCH_COLOURS = [(220, 40, 40), (40, 180, 60), (40, 60, 210), (205, 160, 135)]  # red, green, blue, skin


def patches_image(w=256, h=192):
    img = Image.new("RGB", (w, h))
    for i, c in enumerate(PATCH_COLOURS):
        x0, y0 = (i % 2) * w // 2, (i // 2) * h // 2
        img.paste(c, (x0, y0, x0 + w // 2, y0 + h // 2))
    return img


def patch_points(w=256, h=192, colours=PATCH_COLOURS):
    return [[(i % 2) * w // 2 + w // 4, (i // 2) * h // 2 + h // 4, list(c)] for i, c in enumerate(colours)]


def luma(c):
    return round(0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2])


# ---------------------------------------------------------------- not images at all
refuse("empty.jpg", b"", "empty")
refuse("random-64k.jpg", bytes(rng.getrandbits(8) for _ in range(65536)), "unknown")
refuse("random-3-bytes.png", bytes([0x13, 0x37, 0x42]), "unknown")
refuse("letter-named.jpg", b"Dear clinic,\nplease find my photo attached.\nKind regards\n" * 20, "text")
pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
refuse("document-named.jpg", pdf, "pdf")
refuse("page-named.jpg", b"<!DOCTYPE html>\n<html><head><title>My photo</title></head><body>"
       b"<img src='head.jpg'></body></html>\n", "html")
zbuf = io.BytesIO()
import zipfile  # noqa: E402

with zipfile.ZipFile(zbuf, "w") as z:
    z.writestr("head.jpg", encode(patches_image(), "JPEG"))
refuse("photos-named.zip.jpg", zbuf.getvalue(), "zip")
mp4 = struct.pack(">I", 24) + b"ftypisom" + b"\0\0\x02\0" + b"isomiso2" + struct.pack(">I", 16) + b"mdat" + bytes(8)
refuse("clip-named.jpg", mp4, "video")

# ---------------------------------------------------------------- formats we do not read
svg = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- a drawing, not a photo -->\n'
       b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
       b'<circle cx="200" cy="150" r="100" fill="#c8a08a"/></svg>\n')
refuse("drawing.svg", svg, "svg")
refuse("drawing-named.jpg", svg, "svg")
small = photo.resize((320, 320))
refuse("photo.bmp", encode(small, "BMP"), "bmp")
refuse("photo.tiff", encode(small, "TIFF"), "tiff")
refuse("still.gif", encode(small.convert("P"), "GIF"), "gif")
frames = [patches_image().rotate(90 * i, expand=False).convert("P") for i in range(3)]
refuse("animated.gif", encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0), "gif")
heic = pillow_heif.from_pillow(small)
hbuf = io.BytesIO()
heic.save(hbuf, format="HEIF", quality=80)
refuse("iphone.heic", hbuf.getvalue(), "heic")
refuse("phone.avif", encode(small, "AVIF", quality=70), "avif")

# ---------------------------------------------------------------- size limits
bomb = bytearray(encode(Image.new("RGB", (100, 100), (200, 160, 140)), "PNG"))


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(w, h):
    # A valid IHDR declaring w x h and a tiny IDAT: the shape of a real decompression bomb
    # (the whole file is a few hundred bytes; decoded it would be gigabytes).
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


refuse("bomb-50000x50000.png", png_bomb(50000, 50000), "too-many-pixels")


def jpeg_with_size(data, w, h):
    # Rewrite the size in the SOF0/SOF2 header of a real JPEG.
    b = bytearray(data)
    i = 2
    while i < len(b):
        marker, length = b[i + 1], struct.unpack(">H", b[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            b[i + 5:i + 9] = struct.pack(">HH", h, w)
            return bytes(b)
        i += 2 + length
    raise SystemExit("no SOF marker")


refuse("bomb-60000x60000.jpg", jpeg_with_size(encode(small, "JPEG"), 60000, 60000), "too-many-pixels")
for side in (16000, 16384):
    lossless = bytearray(encode(Image.new("RGB", (64, 64), (200, 160, 140)), "WEBP", lossless=True))
    assert lossless[12:16] == b"VP8L", "expected a simple lossless WebP"
    # VP8L header after the 0x2f signature: 14 bits width-1, 14 bits height-1, alpha, version.
    bits = struct.unpack("<I", lossless[21:25])[0]
    bits = (bits & ~((1 << 28) - 1)) | ((side - 1) << 14) | (side - 1)
    lossless[21:25] = struct.pack("<I", bits)
    refuse(f"bomb-{side}x{side}.webp", bytes(lossless), "too-many-pixels")
lossy = bytearray(encode(Image.new("RGB", (64, 64), (200, 160, 140)), "WEBP", quality=80))
assert lossy[12:16] == b"VP8 " and lossy[23:26] == b"\x9d\x01\x2a", "expected a simple lossy WebP"
lossy[26:30] = struct.pack("<HH", 12000, 12000)
refuse("bomb-12000x12000.webp", bytes(lossy), "too-many-pixels")
refuse("dot-1x1.png", encode(Image.new("RGB", (1, 1), (200, 160, 140)), "PNG"), "too-small")
refuse("strip-20000x20.png", encode(Image.new("RGB", (20000, 20), (200, 160, 140)), "PNG"), "too-small")
refuse("strip-20x20000.jpg", encode(Image.new("RGB", (20, 20000), (200, 160, 140)), "JPEG"), "too-small")

# ---------------------------------------------------------------- damaged / incomplete files
jpeg_full = encode(photo, "JPEG", quality=90)
for label, cut in [("20-bytes", 20), ("in-tables", 400), ("half", len(jpeg_full) // 2),
                   ("90pc", len(jpeg_full) * 9 // 10), ("no-end-marker", len(jpeg_full) - 2)]:
    refuse(f"truncated-{label}.jpg", jpeg_full[:cut], "damaged-jpeg")
prog_full = encode(photo, "JPEG", quality=90, progressive=True)
refuse("truncated-progressive-half.jpg", prog_full[: len(prog_full) // 2], "damaged-jpeg")
png_full = encode(photo, "PNG")
for label, cut in [("in-header", 30), ("half", len(png_full) // 2), ("90pc", len(png_full) * 9 // 10)]:
    refuse(f"truncated-{label}.png", png_full[:cut], "damaged-png")
corrupt = bytearray(png_full)
start = corrupt.index(b"IDAT") + 4
for k in range(200):
    corrupt[start + 1000 + k * 37] ^= 0x5A
refuse("corrupt-data.png", bytes(corrupt), "damaged-png")
webp_full = encode(photo, "WEBP", quality=85)
for label, cut in [("in-header", 24), ("half", len(webp_full) // 2), ("90pc", len(webp_full) * 9 // 10)]:
    refuse(f"truncated-{label}.webp", webp_full[:cut], "damaged-webp")

# ---------------------------------------------------------------- good but odd: must load
def load(name, data, size, **check):
    save(name, data, load={"size": list(size), **check})


load("progressive.jpg", prog_full, (PW, PH), like="color")
load("grayscale.jpg", encode(photo.convert("L"), "JPEG", quality=92), (PW, PH), like="gray")
load("cmyk.jpg", encode(photo.convert("CMYK"), "JPEG", quality=95), (PW, PH), like="color")
pimg = patches_image()
load("cmyk-patches.jpg", encode(pimg.convert("CMYK"), "JPEG", quality=95), pimg.size, patches=patch_points())
load("grayscale-patches.jpg", encode(pimg.convert("L"), "JPEG", quality=95), pimg.size,
     patches=patch_points(colours=[(luma(c),) * 3 for c in PATCH_COLOURS]))


def png_16bit(img):
    # Pillow cannot write 16-bit RGB PNG (and its I;16 keeps 8-bit values): write it by hand,
    # each 8-bit value v as the 16-bit v * 257 (colour type 2 for RGB, 0 for grey).
    w, h = img.size
    channels = len(img.getbands())
    px = img.tobytes()
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        row = px[y * w * channels:(y + 1) * w * channels]
        raw += struct.pack(f">{len(row)}H", *(v * 257 for v in row))
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2 if channels == 3 else 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(bytes(raw), 6))
            + png_chunk(b"IEND", b""))


load("rgb-16bit.png", png_16bit(photo), (PW, PH), like="color")
load("gray-16bit.png", png_16bit(photo.convert("L")), (PW, PH), like="gray")
load("palette.png", encode(pimg.convert("P", palette=Image.Palette.ADAPTIVE, colors=16), "PNG"), pimg.size,
     patches=patch_points())
# Alpha: left half opaque patches, right half fully transparent (shown on white).
alpha = pimg.convert("RGBA")
alpha.putalpha(Image.new("L", pimg.size, 255))
alpha.paste((0, 0, 0, 0), (128, 0, 256, 192))
alpha_pts = patch_points()
for p in alpha_pts:
    if p[0] >= 128:
        p[2] = [255, 255, 255]
load("alpha.png", encode(alpha, "PNG"), pimg.size, patches=alpha_pts)
load("alpha-lossless.webp", encode(alpha, "WEBP", lossless=True), pimg.size, patches=alpha_pts)
load("lossy.webp", encode(pimg, "WEBP", quality=90), pimg.size, patches=patch_points())
anim = [pimg] + [Image.new("RGB", pimg.size, c) for c in [(0, 0, 0), (255, 255, 0)]]
load("animated.webp", encode(anim[0], "WEBP", save_all=True, append_images=anim[1:], duration=200, loop=0,
                              quality=90), pimg.size, patches=patch_points())

# All eight EXIF orientations: the same upright picture (red band on top, green square top-left,
# blue elsewhere, 200 x 120) stored so that applying the orientation gives it back.
UW, UH = 200, 120
upright = Image.new("RGB", (UW, UH), (40, 60, 210))
upright.paste((220, 40, 40), (0, 0, UW, 40))
upright.paste((40, 180, 60), (0, 0, 50, 40))
UPRIGHT_PTS = [[25, 20, [40, 180, 60]], [150, 20, [220, 40, 40]], [100, 90, [40, 60, 210]],
               [25, 90, [40, 60, 210]], [175, 90, [40, 60, 210]]]
# exif_transpose applies these to go from stored to upright; store the inverse.
TO_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
              7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}
INVERSE = {2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}


def stored_for(o):
    return upright if o == 1 else upright.transpose(TO_UPRIGHT[INVERSE[o]])


def with_orientation(img, o, **kw):
    exif = Image.Exif()
    exif[0x0112] = o
    return encode(img, "JPEG", quality=95, exif=exif.tobytes(), **kw)


for o in range(1, 9):
    data = with_orientation(stored_for(o), o)
    check = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    assert check.size == (UW, UH), (o, check.size)
    for x, y, c in UPRIGHT_PTS:
        got = check.getpixel((x, y))
        assert max(abs(a - b) for a, b in zip(got, c)) < 30, (o, x, y, got, c)
    load(f"orientation-{o}.jpg", data, (UW, UH), patches=UPRIGHT_PTS)


def insert_app1(jpeg, payload):
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def tiff_ifd(entries, extra=b""):
    # Big-endian TIFF header, IFD0 at 8 with the given (tag, type, count, value-bytes) entries.
    body = b"MM\0\x2a" + struct.pack(">I", 8) + struct.pack(">H", len(entries))
    for tag, typ, count, value in entries:
        body += struct.pack(">HHI", tag, typ, count) + value.ljust(4, b"\0")
    return body + struct.pack(">I", 0) + extra


# Huge EXIF: a 64 KB APP1 (orientation 6 plus a ~60 KB maker note) on a stored-sideways photo.
note = bytes(rng.getrandbits(8) for _ in range(60000))
entries = [(0x0112, 3, 1, struct.pack(">H", 6)), (0x927C, 7, len(note), struct.pack(">I", 8 + 2 + 2 * 12 + 4))]
huge = insert_app1(encode(stored_for(6), "JPEG", quality=95), b"Exif\0\0" + tiff_ifd(entries, note))
load("exif-huge.jpg", huge, (UW, UH), patches=UPRIGHT_PTS)
# Corrupt EXIF: an IFD claiming 65535 entries, offsets past the end: the photo loads as stored.
bad_tiff = b"MM\0\x2a" + struct.pack(">I", 8) + b"\xff\xff" + b"\x01\x12\x00\x03\xff\xff\xff\xff\x7f\xff\xff\xff"
load("exif-corrupt.jpg", insert_app1(encode(upright, "JPEG", quality=95), b"Exif\0\0" + bad_tiff), (UW, UH),
     patches=UPRIGHT_PTS)
# EXIF whose IFD offset points far outside the block.
load("exif-bad-offset.jpg", insert_app1(encode(upright, "JPEG", quality=95),
                                        b"Exif\0\0MM\0\x2a\x7f\xff\xff\xf0"), (UW, UH), patches=UPRIGHT_PTS)

(out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
print(f"hostile corpus: {len(manifest)} files in {out}")
