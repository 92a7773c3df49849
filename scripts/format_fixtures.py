#!/usr/bin/python3
"""Writes one drawn test picture in every image format Loupe must decode, with
Pillow, plus Pillow's own decode of each as a lossless RGB PNG for comparison
(ImageDecoderFormatsTest). HEIC and AVIF, which Pillow cannot write, are written with
the `vips` command when it is installed (their reference is the source picture).

    python3 scripts/format_fixtures.py OUT_DIR
writes OUT_DIR/<case>.<ext>, OUT_DIR/<case>.expected.png and OUT_DIR/formats.json.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image, ImageDraw


def picture(w=320, h=240):
    y, x = np.mgrid[0:h, 0:w]
    arr = np.stack([255 * x / (w - 1), 255 * y / (h - 1), np.full_like(x, 96)], axis=-1).astype(np.uint8)
    img = Image.fromarray(arr, "RGB")
    d = ImageDraw.Draw(img)
    d.rectangle([40, 40, 140, 120], fill=(220, 30, 30))
    d.ellipse([180, 90, 290, 200], fill=(30, 60, 220))
    d.line([0, 239, 319, 0], fill=(255, 255, 255), width=5)
    return img


def main(out):
    os.makedirs(out, exist_ok=True)
    rgb = picture()
    cases = {}

    def save(name, ext, image, expected=None, **kw):
        path = os.path.join(out, name + "." + ext)
        image.save(path, **kw)
        decoded = Image.open(path)
        decoded.seek(0)
        (expected or decoded.convert("RGB")).save(os.path.join(out, name + ".expected.png"))
        cases[name] = name + "." + ext

    save("jpeg_baseline", "jpg", rgb, quality=92)
    save("jpeg_progressive", "jpg", rgb, quality=92, progressive=True)
    save("jpeg_cmyk", "jpg", rgb.convert("CMYK"), quality=95)
    save("jpeg_grayscale", "jpg", rgb.convert("L"), quality=92)
    save("png_rgb", "png", rgb)
    arr16 = (np.asarray(rgb.convert("L"), dtype=np.uint16) * 257)
    save("png_16bit_gray", "png", Image.fromarray(arr16.astype(np.uint16), "I;16"),
         expected=Image.fromarray((arr16 >> 8).astype(np.uint8), "L").convert("RGB"))
    save("png_palette", "png", rgb.quantize(colors=64))
    rgba = rgb.copy()
    rgba.putalpha(Image.new("L", rgb.size, 255))
    ImageDraw.Draw(rgba).rectangle([0, 0, 60, 60], fill=(0, 0, 0, 0))
    white = Image.new("RGB", rgb.size, (255, 255, 255))
    white.paste(rgba, mask=rgba.split()[3])
    save("png_alpha", "png", rgba, expected=white)
    save("webp_lossy", "webp", rgb, quality=90)
    save("webp_lossless", "webp", rgb, lossless=True)
    frames = [rgb.quantize(colors=128), rgb.transpose(Image.FLIP_LEFT_RIGHT).quantize(colors=128)]
    frames[0].save(os.path.join(out, "gif_animated.gif"), save_all=True, append_images=frames[1:], duration=100)
    frames[0].convert("RGB").save(os.path.join(out, "gif_animated.expected.png"))
    cases["gif_animated"] = "gif_animated.gif"
    save("bmp", "bmp", rgb)
    save("tiff_lzw", "tiff", rgb, compression="tiff_lzw")
    save("tiff_deflate", "tiff", rgb, compression="tiff_adobe_deflate")
    if shutil.which("vips"):
        rgb.save(os.path.join(out, "heif_source.png"))
        for name, target in (("heic", "heic.heic[Q=92]"), ("avif", "avif.avif[compression=av1,Q=92]")):
            subprocess.run(["vips", "copy", os.path.join(out, "heif_source.png"), os.path.join(out, target)], check=True)
            rgb.save(os.path.join(out, name + ".expected.png"))
            cases[name] = target.split("[")[0]
    with open(os.path.join(out, "formats.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: format_fixtures.py OUT_DIR")
    main(sys.argv[1])
