#!/usr/bin/python3
"""Writes photo-like 4000x3000 JPEGs (baseline and progressive, quality 90) for the
thumbnail and ingestion benchmarks: smooth gradients, texture and edges, so the
entropy-coded data is as busy as a camera's.

    python3 scripts/bench_images.py OUT_DIR [COUNT]
writes OUT_DIR/photo_baseline.jpg, OUT_DIR/photo_progressive.jpg and, with COUNT,
OUT_DIR/ingest/photo_<i>.jpg (COUNT distinct baseline images).
"""
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def photo(seed, w=4000, h=3000):
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(h // 40, w // 40, 3), dtype=np.uint8)
    img = Image.fromarray(small, "RGB").resize((w, h), Image.BICUBIC).filter(ImageFilter.GaussianBlur(6))
    arr = np.asarray(img, dtype=np.int16) + rng.integers(-12, 13, size=(h, w, 3), dtype=np.int16)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        d.rectangle([x, y, x + int(rng.integers(20, 600)), y + int(rng.integers(20, 400))],
                    outline=tuple(int(c) for c in rng.integers(0, 256, 3)), width=int(rng.integers(1, 9)))
    return img


def main(out, count):
    os.makedirs(out, exist_ok=True)
    img = photo(1)
    img.save(os.path.join(out, "photo_baseline.jpg"), quality=90)
    img.save(os.path.join(out, "photo_progressive.jpg"), quality=90, progressive=True)
    if count:
        os.makedirs(os.path.join(out, "ingest"), exist_ok=True)
        for i in range(count):
            photo(100 + i).save(os.path.join(out, "ingest", "photo_%d.jpg" % i), quality=90)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: bench_images.py OUT_DIR [COUNT]")
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 0)
