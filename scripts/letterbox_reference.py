#!/usr/bin/python3
"""Reference detector inputs for Loupe's letterbox (LetterboxReferenceTest), with Pillow
and numpy: insightface's SCRFD geometry (model_zoo/scrfd.py detect(): im_ratio = h / w,
the long side to the input size, the other int(size * ratio) or int(size / ratio)), the
image resized with Pillow's bilinear filter, pasted at the top-left of a zero canvas, then
(x - mean) / std in float32, channels in the given order, planar CHW.

    python3 scripts/letterbox_reference.py OUT_DIR
writes OUT_DIR/img_*.png (drawn here), OUT_DIR/*.f32 (little-endian float32) and
OUT_DIR/reference.json.
"""
import json
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

# Shrunk wide, enlarged, tall, already at size, a thin strip, tiny, square.
SIZES = [(2048, 1150), (352, 317), (333, 454), (640, 480), (97, 1500), (64, 40), (1000, 1000)]
# SCRFD (RGB, (x - 127.5) / 128) at 640 and YuNet (BGR, raw) at 320.
CASES = [{"input_size": 640, "order": [0, 1, 2], "mean": 127.5, "std": 128.0},
         {"input_size": 320, "order": [2, 1, 0], "mean": 0.0, "std": 1.0}]


def draw(index, w, h):
    rng = np.random.RandomState(2000 + index)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([255 * x / max(1, w - 1), 255 * y / max(1, h - 1), 128 + 100 * np.sin(x / 5.0 + y / 9.0)], axis=-1)
    img = Image.fromarray(np.clip(base + rng.normal(0, 30, size=base.shape), 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(8):  # hard edges are where resamplers disagree
        x0, y0 = rng.randint(0, w), rng.randint(0, h)
        colour = tuple(int(c) for c in rng.randint(0, 256, size=3))
        d.rectangle([x0, y0, x0 + rng.randint(1, max(2, w // 3)), y0 + rng.randint(1, max(2, h // 3))], fill=colour)
    return img


def letterbox(img, size):
    w, h = img.size
    im_ratio = float(h) / w
    if im_ratio > 1:
        new_h, new_w = size, int(size / im_ratio)
    else:
        new_w, new_h = size, int(size * im_ratio)
    new_w, new_h = max(1, new_w), max(1, new_h)
    canvas = np.zeros((size, size, 3), dtype=np.uint8)
    canvas[:new_h, :new_w, :] = np.asarray(img.resize((new_w, new_h), Image.BILINEAR))
    return canvas, float(new_h) / h


def main(out):
    os.makedirs(out, exist_ok=True)
    entries = []
    for i, (w, h) in enumerate(SIZES):
        name = f"img_{i}.png"
        img = draw(i, w, h)
        img.save(os.path.join(out, name))
        for c in CASES:
            canvas, scale = letterbox(img, c["input_size"])
            chw = canvas[:, :, c["order"]].transpose(2, 0, 1).astype(np.float32)
            tensor = (chw - np.float32(c["mean"])) / np.float32(c["std"])
            file = f"tensor_{i}_{c['input_size']}.f32"
            tensor.astype("<f4").tofile(os.path.join(out, file))
            entries.append({"image": name, "tensor": file, "scale": scale, **c})
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"entries": entries}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
