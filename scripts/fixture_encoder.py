#!/usr/bin/python3
"""Generates Loupe's fixture dual encoder: a tiny image/text model pair in the
OpenCLIP/Immich export layout, with 768-d outputs like SigLIP base.

Its behaviour is simple and honest, so tests can assert on it:

* The image tower undoes SigLIP's normalisation, softly assigns every pixel to
  the nearest of eight basic colours (red, orange, yellow, green, blue, purple,
  black, white), averages those assignments into a colour histogram and
  projects the histogram onto eight orthonormal 768-d directions, one per
  colour. An image dominated by one colour therefore embeds close to that
  colour's direction.
* The text tower sums per-token vectors. Each colour word maps to its colour's
  direction; every other word (and the unknown token) maps to a small fixed
  noise vector of norm 0.05. Text naming a colour therefore embeds near that
  colour and nearly orthogonal to the other seven.

Nothing else is learnt: the model knows colours and nothing more. Usage:

    python3 scripts/fixture_encoder.py OUT_DIR   # writes OUT_DIR/loupe-fixture-colors/
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

NAME = "loupe-fixture-colors"
DIM = 768
IMAGE_SIZE = 224
CONTEXT_LENGTH = 16
TEMPERATURE = 0.005  # squared-distance units; small => near-hard assignment

COLOURS = {
    "red": (1.0, 0.0, 0.0),
    "orange": (1.0, 0.55, 0.0),
    "yellow": (1.0, 1.0, 0.0),
    "green": (0.0, 0.6, 0.0),
    "blue": (0.0, 0.0, 1.0),
    "purple": (0.5, 0.0, 0.5),
    "black": (0.0, 0.0, 0.0),
    "white": (1.0, 1.0, 1.0),
}
# Everyday words so that queries tokenize to real ids; they carry no colour.
WORDS = """a an the and or with of in on for to by at from is are this that
photo picture image product shot bag handbag leather gold buckle shoe shoes
dress shirt car cup mug chair table lamp phone watch hat sofa bottle box
dark light bright pale small large big new old vintage modern plain""".split()

OPSET = 17  # reduce ops still take axes as attributes


def directions(rng):
    q, _ = np.linalg.qr(rng.standard_normal((DIM, len(COLOURS))))
    return q.T.astype(np.float32)  # [8, DIM], orthonormal rows


def vision_model(proj):
    centres = np.array(list(COLOURS.values()), dtype=np.float32)  # [8, 3]
    weight = (-2.0 * centres).reshape(len(COLOURS), 3, 1, 1).astype(np.float32)
    bias = (centres ** 2).sum(axis=1).astype(np.float32)
    inits = [
        numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half"),
        numpy_helper.from_array(weight, "centre_w"),
        numpy_helper.from_array(bias, "centre_b"),
        numpy_helper.from_array(np.array(-1.0 / TEMPERATURE, dtype=np.float32), "inv_temp"),
        numpy_helper.from_array(proj, "colour_directions"),
    ]
    nodes = [
        helper.make_node("Mul", ["image", "half"], ["scaled"]),
        helper.make_node("Add", ["scaled", "half"], ["rgb"]),  # back to [0, 1]
        helper.make_node("Conv", ["rgb", "centre_w", "centre_b"], ["cross"]),
        helper.make_node("ReduceSumSquare", ["rgb"], ["norm2"], axes=[1], keepdims=1),
        helper.make_node("Add", ["cross", "norm2"], ["dist2"]),
        helper.make_node("Mul", ["dist2", "inv_temp"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["assign"], axis=1),
        helper.make_node("ReduceMean", ["assign"], ["histogram"], axes=[2, 3], keepdims=0),
        helper.make_node("MatMul", ["histogram", "colour_directions"], ["embedding"]),
    ]
    graph = helper.make_graph(
        nodes, "fixture_visual",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, IMAGE_SIZE, IMAGE_SIZE])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIM])],
        inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def vocabulary():
    vocab = {"[PAD]": 0, "[UNK]": 1}
    for word in list(COLOURS) + WORDS:
        vocab.setdefault(word, len(vocab))
    return vocab


def text_model(proj, vocab, rng):
    table = np.zeros((len(vocab), DIM), dtype=np.float32)
    noise = rng.standard_normal((len(vocab), DIM)).astype(np.float32)
    noise *= 0.05 / np.linalg.norm(noise, axis=1, keepdims=True)
    colour_index = {name: i for i, name in enumerate(COLOURS)}
    for word, idx in vocab.items():
        if word == "[PAD]":
            continue
        table[idx] = proj[colour_index[word]] if word in colour_index else noise[idx]
    nodes = [
        helper.make_node("Gather", ["token_vectors", "text"], ["per_token"], axis=0),
        helper.make_node("ReduceSum", ["per_token", "sum_axes"], ["embedding"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, "fixture_textual",
        [helper.make_tensor_value_info("text", TensorProto.INT64, ["batch", CONTEXT_LENGTH])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIM])],
        [numpy_helper.from_array(table, "token_vectors"),
         numpy_helper.from_array(np.array([1], dtype=np.int64), "sum_axes")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def tokenizer_json(vocab):
    special = lambda i, t: {"id": i, "content": t, "single_word": False, "lstrip": False,
                            "rstrip": False, "normalized": False, "special": True}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [special(0, "[PAD]"), special(1, "[UNK]")],
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": None, "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "[UNK]"},
    }


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1)


def main(out_dir):
    rng = np.random.default_rng(20261124)
    proj = directions(rng)
    vocab = vocabulary()
    root = os.path.join(out_dir, NAME)
    for sub in ("visual", "textual"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    for model, sub in ((vision_model(proj), "visual"), (text_model(proj, vocab, rng), "textual")):
        model.ir_version = 8
        onnx.checker.check_model(model)
        onnx.save(model, os.path.join(root, sub, "model.onnx"))
    write_json(os.path.join(root, "config.json"), {
        "embed_dim": DIM,
        "vision_cfg": {"image_size": IMAGE_SIZE},
        "text_cfg": {"context_length": CONTEXT_LENGTH, "pad_id": 0},
        "loupe_fixture": {"colours": list(COLOURS)},
    })
    write_json(os.path.join(root, "visual", "preprocess_cfg.json"), {
        "size": [IMAGE_SIZE, IMAGE_SIZE], "mode": "RGB",
        "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5],
        "interpolation": "bicubic", "resize_mode": "squash",
    })
    write_json(os.path.join(root, "textual", "tokenizer.json"), tokenizer_json(vocab))
    print(root)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: fixture_encoder.py OUT_DIR")
    main(sys.argv[1])
