#!/usr/bin/python3
"""Reference for Loupe's OCR detector post-processing (OcrReferenceTest).

PaddleOCR's DBPostProcess.boxes_from_bitmap (score mode "fast"), as RapidOCR runs it, on
Debian's python3-opencv, python3-pyclipper and numpy; Shapely's Polygon area and length are
the shoelace area and the perimeter, computed here with numpy.

  ocr_reference.py boxes MAP WIDTH HEIGHT DEST_W DEST_H [--thresh 0.3] [--box-thresh 0.5]
                   [--unclip 1.6] [--max-candidates 1000] [--dilate]
  ocr_reference.py contours BITMAP WIDTH HEIGHT

MAP is row-major float32 (little-endian) or a .npy file; BITMAP is one byte per pixel (0 or 1).
Prints JSON: {"boxes": [{"points": [[x, y] * 4], "score": s}, ...]} or {"contours": [[[x, y], ...], ...]}.
"""
import argparse
import json
import sys

import cv2
import numpy as np
import pyclipper


def load_map(path, width, height, dtype):
    if path.endswith(".npy"):
        return np.load(path).astype(dtype).reshape(height, width)
    return np.fromfile(path, dtype=dtype).reshape(height, width)


def get_mini_boxes(contour):
    bounding_box = cv2.minAreaRect(contour)
    points = sorted(list(cv2.boxPoints(bounding_box)), key=lambda x: x[0])
    if points[1][1] > points[0][1]:
        index_1, index_4 = 0, 1
    else:
        index_1, index_4 = 1, 0
    if points[3][1] > points[2][1]:
        index_2, index_3 = 2, 3
    else:
        index_2, index_3 = 3, 2
    box = [points[index_1], points[index_2], points[index_3], points[index_4]]
    return box, min(bounding_box[1])


def box_score_fast(bitmap, _box):
    h, w = bitmap.shape[:2]
    box = _box.copy()
    xmin = np.clip(np.floor(box[:, 0].min()).astype("int32"), 0, w - 1)
    xmax = np.clip(np.ceil(box[:, 0].max()).astype("int32"), 0, w - 1)
    ymin = np.clip(np.floor(box[:, 1].min()).astype("int32"), 0, h - 1)
    ymax = np.clip(np.ceil(box[:, 1].max()).astype("int32"), 0, h - 1)
    mask = np.zeros((ymax - ymin + 1, xmax - xmin + 1), dtype=np.uint8)
    box[:, 0] = box[:, 0] - xmin
    box[:, 1] = box[:, 1] - ymin
    cv2.fillPoly(mask, box.reshape(1, -1, 2).astype("int32"), 1)
    return cv2.mean(bitmap[ymin:ymax + 1, xmin:xmax + 1], mask)[0]


def unclip(box, unclip_ratio):
    # shapely.geometry.Polygon(box).area / .length
    x, y = box[:, 0].astype(np.float64), box[:, 1].astype(np.float64)
    area = abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2
    length = np.sum(np.hypot(x - np.roll(x, -1), y - np.roll(y, -1)))
    distance = area * unclip_ratio / length
    offset = pyclipper.PyclipperOffset()
    offset.AddPath(box, pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return offset.Execute(distance)


def boxes_from_bitmap(pred, bitmap, dest_width, dest_height, box_thresh, unclip_ratio, max_candidates, min_size=3):
    height, width = bitmap.shape
    contours, _ = cv2.findContours((bitmap * 255).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    for contour in contours[:max_candidates]:
        points, sside = get_mini_boxes(contour)
        if sside < min_size:
            continue
        points = np.array(points)
        score = box_score_fast(pred, points.reshape(-1, 2))
        if box_thresh > score:
            continue
        expanded = unclip(points, unclip_ratio)
        if len(expanded) != 1:
            continue
        box, sside = get_mini_boxes(np.array(expanded).reshape(-1, 1, 2))
        if sside < min_size + 2:
            continue
        box = np.array(box)
        box[:, 0] = np.clip(np.round(box[:, 0] / width * dest_width), 0, dest_width)
        box[:, 1] = np.clip(np.round(box[:, 1] / height * dest_height), 0, dest_height)
        out.append({"points": box.astype("int32").tolist(), "score": float(score)})
    return out


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    b = sub.add_parser("boxes")
    for name in ("map",):
        b.add_argument(name)
    for name in ("width", "height", "dest_width", "dest_height"):
        b.add_argument(name, type=int)
    b.add_argument("--thresh", type=float, default=0.3)
    b.add_argument("--box-thresh", type=float, default=0.5)
    b.add_argument("--unclip", type=float, default=1.6)
    b.add_argument("--max-candidates", type=int, default=1000)
    b.add_argument("--dilate", action="store_true")
    c = sub.add_parser("contours")
    c.add_argument("bitmap")
    c.add_argument("width", type=int)
    c.add_argument("height", type=int)
    a = p.parse_args()
    if a.mode == "contours":
        bitmap = load_map(a.bitmap, a.width, a.height, np.uint8)
        contours, _ = cv2.findContours((bitmap > 0).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        json.dump({"contours": [c.reshape(-1, 2).tolist() for c in contours]}, sys.stdout)
        return
    pred = load_map(a.map, a.width, a.height, np.float32)
    segmentation = pred > a.thresh
    mask = segmentation.astype(np.uint8)
    if a.dilate:  # RapidOCR's dilation, kernel [[1, 1], [1, 1]]
        mask = cv2.dilate(mask, np.array([[1, 1], [1, 1]], dtype=np.uint8))
    boxes = boxes_from_bitmap(pred, mask, a.dest_width, a.dest_height, a.box_thresh, a.unclip, a.max_candidates)
    json.dump({"boxes": boxes}, sys.stdout)


if __name__ == "__main__":
    main()
