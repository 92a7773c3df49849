#!/usr/bin/python3
"""Reference model-input tensors computed with Pillow and numpy, for Loupe's
preprocessing test (PreprocessingReferenceTest).

The reference pipelines (open_clip's image transform, Immich's machine-learning
service) resize with Pillow; this script applies the same steps to images it
draws itself:

* squash:   img.resize((W, H), resample)
* shortest: torchvision Resize(S): short side to S, long side int(S * long / short),
            then CenterCrop: offsets int(round((dim - S) / 2)) (round half to even)

then scales to [0, 1], subtracts mean and divides by std per channel (float32),
and stores the planar CHW tensor as little-endian float32.

    python3 scripts/reference_preprocess.py OUT_DIR
writes OUT_DIR/img_*.png, OUT_DIR/*.f32 and OUT_DIR/reference.json.
"""
import json
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

SIGLIP = {"mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}
CLIP = {"mean": [0.48145466, 0.4578275, 0.40821073], "std": [0.26862954, 0.26130258, 0.27577711]}
# Every resize mode with every filter, each with per-channel mean/std (CLIP's) and with
# SigLIP's uniform ones, so a channel mix-up or a filter that only one mode uses cannot hide.
MODES = ["squash", "shortest"]
FILTER_NAMES = ["bicubic", "bilinear", "lanczos", "nearest"]
CASES = [
    {"mode": mode, "interpolation": f, "size": size, **norm}
    for mode in MODES
    for f in FILTER_NAMES
    # shortest centre-crops a square from the short side, so only squash takes a non-square size
    for size, norm in (([224, 224], CLIP), ([256, 192] if mode == "squash" else [192, 192], SIGLIP))
]
SIZES = [(640, 480), (301, 517), (224, 224), (1000, 150), (97, 133), (448, 336)]
FILTERS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR, "lanczos": Image.LANCZOS, "nearest": Image.NEAREST}


def draw(index, w, h):
    rng = np.random.RandomState(1000 + index)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([255 * x / max(1, w - 1), 255 * y / max(1, h - 1), 128 + 100 * np.sin(x / 7.0 + y / 11.0)], axis=-1)
    noisy = np.clip(base + rng.normal(0, 25, size=base.shape), 0, 255).astype(np.uint8)
    img = Image.fromarray(noisy, "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(6):  # hard edges are where resamplers disagree most
        x0, y0 = rng.randint(0, w), rng.randint(0, h)
        x1, y1 = x0 + rng.randint(2, max(3, w // 3)), y0 + rng.randint(2, max(3, h // 3))
        colour = tuple(int(c) for c in rng.randint(0, 256, size=3))
        (d.rectangle if rng.rand() < 0.5 else d.ellipse)([x0, y0, x1, y1], fill=colour)
    return img


def geometry(img, case):
    w, h = case["size"]
    resample = FILTERS[case["interpolation"]]
    if case["mode"] == "squash":
        return img.resize((w, h), resample)
    side = min(w, h)
    iw, ih = img.size
    if iw <= ih:
        nw, nh = side, int(side * ih / iw)
    else:
        nw, nh = int(side * iw / ih), side
    if (nw, nh) != (iw, ih):
        img = img.resize((nw, nh), resample)
    left, top = int(round((nw - w) / 2.0)), int(round((nh - h) / 2.0))
    return img.crop((left, top, left + w, top + h))


def tensor(img, case):
    arr = np.asarray(img, dtype=np.uint8).astype(np.float32) / np.float32(255.0)
    mean = np.array(case["mean"], dtype=np.float32)
    std = np.array(case["std"], dtype=np.float32)
    return ((arr - mean) / std).transpose(2, 0, 1).astype("<f4")


def main(out):
    os.makedirs(out, exist_ok=True)
    entries = []
    for i, (w, h) in enumerate(SIZES):
        name = "img_%d.png" % i
        img = draw(i, w, h)
        img.save(os.path.join(out, name))
        for j, case in enumerate(CASES):
            f32 = "img_%d__case_%d.f32" % (i, j)
            tensor(geometry(img, case), case).tofile(os.path.join(out, f32))
            entries.append({"image": name, "tensor": f32, **case})
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"pillow": Image.__version__, "numpy": np.__version__, "entries": entries}, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: reference_preprocess.py OUT_DIR")
    main(sys.argv[1])
