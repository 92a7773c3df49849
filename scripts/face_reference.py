#!/usr/bin/python3
"""Independent references for Loupe's face pipeline (FaceReferenceTest), with Debian's
python3 only: numpy, python3-opencv (4.6) and python3-skimage (0.19).

ONNX Runtime's Python package is not in Debian, so Loupe runs the SCRFD graphs itself and
dumps their raw outputs; this script decodes them as insightface's model_zoo/scrfd.py does
(anchor grid, distance2bbox, distance2kps, threshold, nms with +1 areas at IoU 0.4, divided
by det_scale). YuNet runs here on OpenCV's own DNN engine, on the very canvas Loupe fed its
graph, and is decoded as OpenCV's FaceDetectorYN (4.8+) decodes it: Debian's OpenCV 4.6
FaceDetectorYN only knows the 2021 YuNet outputs (loc/conf/iou) and rejects the 2023mar
graph, so its post-processing (score = sqrt(cls*obj), NMSBoxes over int rectangles at 0.3)
is reproduced on cv2.dnn's outputs. Alignment is insightface's face_align.norm_crop:
skimage SimilarityTransform.estimate onto the ArcFace template, cv2.warpAffine, border 0.

    python3 scripts/face_reference.py DIR
reads DIR/cases.json (written by the test) and writes DIR/reference.json and DIR/ref_crop_*.png.
"""
import json
import os
import sys

import cv2
import numpy as np
from skimage.transform import SimilarityTransform

ARCFACE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                    [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float32)
YUNET_OUTPUTS = [f"{h}_{s}" for h in ("cls", "obj", "bbox", "kps") for s in (8, 16, 32)]


def nms(dets, thresh):
    """insightface SCRFD.nms, verbatim in substance."""
    x1, y1, x2, y2, scores = dets[:, 0], dets[:, 1], dets[:, 2], dets[:, 3], dets[:, 4]
    areas = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = scores.argsort()[::-1]
    keep = []
    while order.size > 0:
        i = order[0]
        keep.append(i)
        xx1 = np.maximum(x1[i], x1[order[1:]])
        yy1 = np.maximum(y1[i], y1[order[1:]])
        xx2 = np.minimum(x2[i], x2[order[1:]])
        yy2 = np.minimum(y2[i], y2[order[1:]])
        w = np.maximum(0.0, xx2 - xx1 + 1)
        h = np.maximum(0.0, yy2 - yy1 + 1)
        inter = w * h
        ovr = inter / (areas[i] + areas[order[1:]] - inter)
        order = order[np.where(ovr <= thresh)[0] + 1]
    return keep


def scrfd(outputs, input_size, det_scale, threshold):
    """insightface SCRFD.forward + detect (without max_num) on the graph's raw outputs."""
    n = len(outputs)
    fmc, strides, anchors, use_kps = {6: (3, [8, 16, 32], 2, False), 9: (3, [8, 16, 32], 2, True),
                                      10: (5, [8, 16, 32, 64, 128], 1, False), 15: (5, [8, 16, 32, 64, 128], 1, True)}[n]
    scores_list, bboxes_list, kpss_list = [], [], []
    for idx, stride in enumerate(strides):
        scores = outputs[idx].reshape(-1, 1)
        bbox_preds = outputs[idx + fmc].reshape(-1, 4) * stride
        height = width = input_size // stride
        centers = np.stack(np.mgrid[:height, :width][::-1], axis=-1).astype(np.float32)
        centers = (centers * stride).reshape((-1, 2))
        if anchors > 1:
            centers = np.stack([centers] * anchors, axis=1).reshape((-1, 2))
        pos = np.where(scores >= threshold)[0]
        b = np.stack([centers[:, 0] - bbox_preds[:, 0], centers[:, 1] - bbox_preds[:, 1],
                      centers[:, 0] + bbox_preds[:, 2], centers[:, 1] + bbox_preds[:, 3]], axis=-1)
        scores_list.append(scores[pos])
        bboxes_list.append(b[pos])
        if use_kps:
            kps_preds = outputs[idx + 2 * fmc].reshape(-1, 10) * stride
            k = np.stack([centers[:, i % 2] + kps_preds[:, i] for i in range(10)], axis=-1).reshape((-1, 5, 2))
            kpss_list.append(k[pos])
    scores = np.vstack(scores_list)
    order = scores.ravel().argsort()[::-1]
    bboxes = np.vstack(bboxes_list) / det_scale
    pre_det = np.hstack((bboxes, scores)).astype(np.float32, copy=False)[order, :]
    keep = nms(pre_det, 0.4)
    det = pre_det[keep, :]
    kpss = (np.vstack(kpss_list) / det_scale)[order, :, :][keep, :, :] if use_kps else None
    return faces(det, kpss)


def yunet(net, canvas, det_scale, threshold):
    """OpenCV 4.8 FaceDetectorYN::postProcess on cv2.dnn's outputs for the canvas."""
    net.setInput(cv2.dnn.blobFromImage(canvas))
    outs = dict(zip(YUNET_OUTPUTS, net.forward(YUNET_OUTPUTS)))
    size = canvas.shape[0]
    rows_out = []
    for s in (8, 16, 32):
        cols = rows = size // s
        cls = np.clip(outs[f"cls_{s}"].reshape(-1), 0, 1)
        obj = np.clip(outs[f"obj_{s}"].reshape(-1), 0, 1)
        bbox = outs[f"bbox_{s}"].reshape(-1, 4)
        kps = outs[f"kps_{s}"].reshape(-1, 10)
        for r in range(rows):
            for c in range(cols):
                i = r * cols + c
                score = np.sqrt(cls[i] * obj[i])
                if score < threshold:
                    continue
                cx, cy = (c + bbox[i, 0]) * s, (r + bbox[i, 1]) * s
                w, h = np.exp(bbox[i, 2]) * s, np.exp(bbox[i, 3]) * s
                x1, y1 = cx - w / 2, cy - h / 2
                lm = [((kps[i, 2 * n] + c) * s, (kps[i, 2 * n + 1] + r) * s) for n in range(5)]
                rows_out.append((x1, y1, w, h, lm, score))
    if not rows_out:
        return []
    rects = [(int(x1), int(y1), int(w), int(h)) for x1, y1, w, h, _, _ in rows_out]
    keep = cv2.dnn.NMSBoxes(rects, [float(r[5]) for r in rows_out], threshold, 0.3, top_k=5000)
    keep = np.array(keep).reshape(-1)
    det = np.array([[rows_out[k][0], rows_out[k][1], rows_out[k][0] + rows_out[k][2], rows_out[k][1] + rows_out[k][3], rows_out[k][5]]
                    for k in keep], dtype=np.float64)
    det[:, :4] /= det_scale
    kpss = np.array([rows_out[k][4] for k in keep], dtype=np.float64) / det_scale
    return faces(det, kpss)


def faces(det, kpss):
    out = []
    for i in range(det.shape[0]):
        f = {"box": [float(v) for v in det[i, :4]], "score": float(det[i, 4])}
        if kpss is not None:
            f["landmarks"] = [float(v) for v in kpss[i].reshape(-1)]
        out.append(f)
    return out


def align(image, landmarks):
    """insightface face_align.norm_crop(img, landmark, image_size=112), in float64.

    insightface hands skimage float32 landmarks and its float32 template, so skimage's Umeyama
    runs in float32 and the matrix carries ~1e-7 relative noise, which cv2.warpAffine's
    1/32-pixel grid turns into a few edge pixels off by up to 3 grey levels. Loupe computes the
    estimate in double on the same float32 inputs, and so does this reference.
    """
    # the landmarks are Loupe's float32 values (JSON holds their shortest decimal form)
    lmk = np.array(landmarks, dtype=np.float32).astype(np.float64).reshape(5, 2)
    tform = SimilarityTransform()
    tform.estimate(lmk, ARCFACE.astype(np.float64))
    m = tform.params[0:2, :]
    return cv2.warpAffine(image, m, (112, 112), borderValue=0.0), m


def main(d):
    cases = json.load(open(os.path.join(d, "cases.json")))
    ref = {"scrfd": [], "yunet": [], "align": []}
    for c in cases["scrfd"]:
        outputs = [np.fromfile(os.path.join(d, f), dtype="<f4") for f in c["outputs"]]
        ref["scrfd"].append({"id": c["id"], "faces": scrfd(outputs, c["input_size"], np.float32(c["det_scale"]), c["threshold"])})
    if cases["yunet"]:
        net = cv2.dnn.readNetFromONNX(cases["yunet_model"])
        for c in cases["yunet"]:
            canvas = cv2.imread(os.path.join(d, c["canvas"]), cv2.IMREAD_COLOR)
            ref["yunet"].append({"id": c["id"], "faces": yunet(net, canvas, np.float32(c["det_scale"]), c["threshold"])})
    images = {}
    for i, c in enumerate(cases["align"]):
        if c["image"] not in images:
            images[c["image"]] = cv2.imread(os.path.join(d, c["image"]), cv2.IMREAD_COLOR)
        crop, m = align(images[c["image"]], c["landmarks"])
        name = f"ref_crop_{i}.png"
        cv2.imwrite(os.path.join(d, name), crop)
        ref["align"].append({"id": c["id"], "crop": name, "matrix": [float(v) for v in m.reshape(-1)]})
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump(ref, f)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: face_reference.py DIR")
    main(sys.argv[1])
