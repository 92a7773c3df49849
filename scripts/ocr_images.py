#!/usr/bin/python3
"""Draws the generated half of the OCR benchmark (scripts/bench.sh ocr): text on coloured and
photo-like backgrounds, with the ground truth beside it.

    python3 scripts/ocr_images.py OUT_DIR [COUNT]     (COUNT defaults to 100)

writes OUT_DIR/gen_<i>.png or .jpg and OUT_DIR/ground_truth.json, shaped like
../shared/data/ocr/ground_truth.json: {"file name": ["line in reading order", ...]}.

Image i is drawn from seed 1300 + i alone, so a larger COUNT keeps the first images as they were.
Each image has 2-6 lines, each in its own font (DejaVu and Noto, Debian's fonts-dejavu and
fonts-noto-core) and size (12-48 px, the font's em size); the lines are English words from WORDS
or receipt- and label-like strings with digits and punctuation, separated by single spaces (the
reference is what was drawn; wide gaps would make "one line" a matter of opinion). The whole text
layer is rotated by up to 5 degrees; then Gaussian noise, sometimes a slight blur, and for about
60 % of the images JPEG compression at quality 35-90.

Legibility is kept by construction, not checked afterwards: background and text take values from
separate bands of each channel (a light background under dark text or the reverse), so every
glyph has at least ~60 levels of contrast to whatever lies behind it, however busy the background.
"""
import json
import math
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = "/usr/share/fonts/truetype"
FONTS = [
    "dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "dejavu/DejaVuSansCondensed.ttf",
    "dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf", "dejavu/DejaVuSansMono.ttf",
    "noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf", "noto/NotoSans-Italic.ttf",
    "noto/NotoSerif-Regular.ttf", "noto/NotoSerif-Bold.ttf", "noto/NotoSerif-Italic.ttf",
]

WORDS = """
about above across after again against almost along already always among animal answer apple
around autumn basket beach because before behind below between bicycle bird black blue board
bottle bread bridge bright brown build butter camera candle careful carry castle chair cheese
city clean clear clock cloud coffee cold colour corner cotton country cover cream cross dance
dark daughter desert dinner doctor door dream dress drink early earth east engine evening every
family farmer field finger flower follow forest fresh friend garden glass golden green ground
guitar happy harbour heavy honey horse house island jacket journey kitchen ladder large later
leather lemon letter light little market marble metal middle minute mirror morning mountain
music narrow nature night north number ocean orange paper pencil people pepper picture plant
pocket quick quiet river rocket round salad silver simple sister small smooth south spring
square station stone storm street summer sunset table thunder ticket tomato travel under valley
velvet village water weather west window winter wooden yellow yesterday zebra
""".split()

PRODUCTS = ["Oat Milk", "Espresso Beans", "Green Tea", "Olive Oil", "Dark Chocolate", "Rice Crackers",
            "Tomato Sauce", "Sea Salt", "Peanut Butter", "Apple Juice", "Rye Bread", "Goat Cheese",
            "Hand Soap", "Paper Towels", "AA Batteries", "USB-C Cable", "Desk Lamp", "Notebook A5"]
COUNTRIES = ["Italy", "Spain", "Portugal", "Japan", "Canada", "Chile", "Kenya", "Norway", "Vietnam"]
STORES = ["CORNER MARKET", "FRESH & CO.", "NORTHSIDE DELI", "THE BOOK NOOK", "CITY PHARMACY", "GREENLEAF FOODS"]


def words_line(rng):
    picked = [WORDS[int(i)] for i in rng.integers(0, len(WORDS), int(rng.integers(2, 7)))]
    style = rng.random()
    if style < 0.25:
        picked[0] = picked[0].capitalize()
    elif style < 0.4:
        picked = [w.upper() for w in picked]
    elif style < 0.55:
        picked = [w.capitalize() for w in picked]
    return " ".join(picked)


def money(rng, high=200):
    return "%d.%02d" % (int(rng.integers(0, high)), int(rng.integers(0, 100)))


def label_line(rng):
    kind = int(rng.integers(0, 16))
    d, m, y = int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(2019, 2031))
    if kind == 0:
        return "%s %s x %s" % (PRODUCTS[int(rng.integers(len(PRODUCTS)))], int(rng.integers(1, 9)), money(rng, 40))
    if kind == 1:
        return "TOTAL: $%s" % money(rng, 900)
    if kind == 2:
        return "Invoice #%d dated %04d-%02d-%02d" % (int(rng.integers(1000, 99999)), y, m, d)
    if kind == 3:
        return "Net Wt. %d g (%.1f oz)" % (g := int(rng.integers(50, 1000)), g / 28.35)
    if kind == 4:
        return "Best before %02d/%02d/%04d" % (d, m, y)
    if kind == 5:
        return "SKU %s-%d" % ("".join(chr(65 + int(c)) for c in rng.integers(0, 26, 3)), int(rng.integers(100, 9999)))
    if kind == 6:
        return "Tel. +%d %03d %03d %04d" % (int(rng.integers(1, 99)), *(int(v) for v in rng.integers(0, 1000, 2)), int(rng.integers(0, 10000)))
    if kind == 7:
        return "%s@%s.com" % (WORDS[int(rng.integers(len(WORDS)))], WORDS[int(rng.integers(len(WORDS)))])
    if kind == 8:
        return "%d%% OFF all %s" % (int(rng.integers(5, 71)), WORDS[int(rng.integers(len(WORDS)))])
    if kind == 9:
        return "Made in %s" % COUNTRIES[int(rng.integers(len(COUNTRIES)))]
    if kind == 10:
        return "Lot: %d%s%d-%03d" % (int(rng.integers(1, 10)), chr(65 + int(rng.integers(26))), int(rng.integers(0, 10)), int(rng.integers(0, 1000)))
    if kind == 11:
        return STORES[int(rng.integers(len(STORES)))]
    if kind == 12:
        return "%02d:%02d Table %d" % (int(rng.integers(7, 23)), int(rng.integers(0, 60)), int(rng.integers(1, 40)))
    if kind == 13:
        return "VAT %d%%: %s EUR" % (int(rng.integers(5, 25)), money(rng, 60))
    if kind == 14:
        return "www.%s-%s.org/%d" % (WORDS[int(rng.integers(len(WORDS)))], WORDS[int(rng.integers(len(WORDS)))], int(rng.integers(1, 500)))
    return "Order No. %s, %d items" % ("".join(str(int(c)) for c in rng.integers(0, 10, 6)), int(rng.integers(1, 30)))


def background(rng, w, h):
    """An RGB field in [0, 1]: flat colour, gradient, noise texture or blurred shapes, sometimes mixed."""
    kind = int(rng.integers(0, 5))
    base = rng.random(3)
    if kind == 0:
        return np.broadcast_to(base, (h, w, 3)).copy()
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    other = rng.random(3)
    angle = rng.random() * 2 * math.pi
    t = (xx * math.cos(angle) + yy * math.sin(angle))
    t = (t - t.min()) / max(1e-6, t.max() - t.min())
    grad = base[None, None, :] * (1 - t[..., None]) + other[None, None, :] * t[..., None]
    if kind == 1:
        return grad
    cell = int(rng.integers(8, 60))
    small = rng.random((h // cell + 2, w // cell + 2, 3))
    noise = np.asarray(Image.fromarray((small * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC)
                       .filter(ImageFilter.GaussianBlur(cell / 3)), dtype=np.float32) / 255
    if kind == 2:
        return noise
    img = Image.fromarray((grad * 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(5, 25))):
        x, y = int(rng.integers(-w // 4, w)), int(rng.integers(-h // 4, h))
        sw, sh = int(rng.integers(20, max(21, w // 2))), int(rng.integers(20, max(21, h // 2)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (d.ellipse if rng.random() < 0.5 else d.rectangle)([x, y, x + sw, y + sh], fill=colour)
    shapes = np.asarray(img.filter(ImageFilter.GaussianBlur(float(rng.uniform(3, 15)))), dtype=np.float32) / 255
    if kind == 3:
        return shapes
    # "Photographic": blurred shapes under a fine grain texture.
    return 0.7 * shapes + 0.3 * noise


def draw(seed):
    rng = np.random.default_rng(seed)
    lines = [label_line(rng) if rng.random() < 0.5 else words_line(rng) for _ in range(int(rng.integers(2, 7)))]
    fonts, sizes = [], []
    for _ in lines:
        fonts.append(os.path.join(FONT_DIR, FONTS[int(rng.integers(len(FONTS)))]))
        sizes.append(int(rng.integers(12, 49)))
    faces = [ImageFont.truetype(f, s) for f, s in zip(fonts, sizes)]
    widths = [f.getbbox(t)[2] for f, t in zip(faces, lines)]
    margin = 24 + 0.1 * max(widths)  # room for the rotation to swing the ends of the longest line
    w = int(max(widths) + 2 * margin + rng.integers(0, 200))
    gaps = [int(s * rng.uniform(0.6, 1.2)) for s in sizes]
    h = int(2 * margin + sum(int(s * 1.25) for s in sizes) + sum(gaps[:-1]))

    light_bg = rng.random() < 0.75
    bg_lo, bg_hi = (0.62, 1.0) if light_bg else (0.0, 0.35)
    text_lo, text_hi = (0.0, 0.32) if light_bg else (0.62, 1.0)
    field = bg_lo + background(rng, w, h) * (bg_hi - bg_lo)

    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    y = margin
    centred = rng.random() < 0.3
    for text, face, size, gap, width in zip(lines, faces, sizes, gaps, widths):
        colour = text_lo + rng.random(3) * (text_hi - text_lo)
        x = (w - width) / 2 if centred else margin + rng.integers(0, 30)
        d.text((x, y), text, font=face, fill=tuple(int(c * 255) for c in colour) + (255,))
        y += int(size * 1.25) + gap
    layer = layer.rotate(float(rng.uniform(-5, 5)), resample=Image.BICUBIC, center=(w / 2, h / 2))

    page = Image.fromarray((field * 255).astype(np.uint8), "RGB").convert("RGBA")
    page = Image.alpha_composite(page, layer).convert("RGB")
    if rng.random() < 0.3:
        page = page.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 0.9))))
    arr = np.asarray(page, dtype=np.float32) + rng.normal(0, rng.uniform(0, 10), (h, w, 3))
    page = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    quality = int(rng.integers(35, 91)) if rng.random() < 0.6 else None
    return page, lines, quality


def main(out, count):
    for f in FONTS:
        if not os.path.exists(os.path.join(FONT_DIR, f)):
            sys.exit("missing font %s/%s: apt-get install fonts-dejavu fonts-noto-core" % (FONT_DIR, f))
    os.makedirs(out, exist_ok=True)
    truth = {}
    for i in range(count):
        page, lines, quality = draw(1300 + i)
        name = "gen_%03d.%s" % (i, "jpg" if quality else "png")
        if quality:
            page.save(os.path.join(out, name), quality=quality)
        else:
            page.save(os.path.join(out, name))
        truth[name] = lines
    with open(os.path.join(out, "ground_truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: ocr_images.py OUT_DIR [COUNT]")
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 100)
