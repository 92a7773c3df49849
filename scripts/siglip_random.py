#!/usr/bin/python3
"""Builds ONNX graphs of the exact SigLIP base patch16-224 architecture (open_clip
ViT-B-16-SigLIP: timm vit_base_patch16_siglip_224 image tower, 12-layer text tower)
filled with random weights, for timing only: speed does not depend on weight values.

Image tower: 16x16 patch conv -> 196 tokens + learned positions -> 12 pre-norm blocks
(768 wide, 12 heads, MLP 3072, tanh-GELU) -> LayerNorm -> attention-pooling head (MAP:
one learned probe attends over the tokens, then an MLP) -> [N, 768].  About 35 GFLOP.
Text tower: 32000-token embedding + positions, 64 tokens, 12 blocks, LayerNorm, last
token -> linear head -> [N, 768].

The graph is written in the fused form an optimised export has, with ONNX Runtime's CPU
contrib operators: MultiHeadAttention for the attention core, FastGelu (bias folded in),
and SkipLayerNormalization joining each residual add to the next LayerNorm (its fourth
output carries the residual sum onward). In the int8 graph every weight MatMul is
ONNX Runtime's dynamic-quantisation pattern (DynamicQuantizeLinear + MatMulInteger +
scale), as quantize_dynamic writes it, which the runtime fuses into DynamicQuantizeMatMul.

A statically quantised image tower is written from a calibration run as quantize_static
writes it (QuantizeLinear/DequantizeLinear around each MatMul, uint8 activations with
calibrated scales, int8 weights): the calibration graph is the fp32 tower with every linear
layer's input as an extra output; dev.loupe.bench.Int8Calibration runs it on images through
Loupe's preprocessing and writes each input's [min, max].

    python3 scripts/siglip_random.py OUT_DIR
writes OUT_DIR/siglip-random/{config.json, visual/, textual/} and
OUT_DIR/siglip-random-int8/... (the same layout Loupe loads), the two MatMul ceilings and
OUT_DIR/siglip-random-calibrate/visual.onnx;
    python3 scripts/siglip_random.py --static RANGES_JSON OUT_DIR
writes OUT_DIR/siglip-random-int8-static/ from the calibration's ranges.
"""
import json
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save_model

D, HEADS, MLP, LAYERS, PATCH, IMAGE = 768, 12, 3072, 12, 16, 224
VOCAB, CONTEXT = 32000, 64
OPSET = 17


class Graph:
    """mode: "fp32"; "dynamic" (int8, activations quantised per call); "static" (int8, activation
    scales fixed from calibration ranges, one [lo, hi] per linear layer in build order); "calibrate"
    (fp32, and every linear layer's input is also a graph output, calib_K, for the calibration run)."""

    def __init__(self, rng, mode, ranges=None):
        self.rng, self.mode, self.ranges = rng, mode, ranges
        self.nodes, self.inits, self.n = [], [], 0
        self.linears, self.calibration_outputs = 0, []

    def name(self, p):
        self.n += 1
        return "%s_%d" % (p, self.n)

    def const(self, array, p="c"):
        n = self.name(p)
        self.inits.append(numpy_helper.from_array(np.asarray(array), n))
        return n

    def op(self, kind, inputs, **attrs):
        out = self.name(kind.lower())
        self.nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def weight(self, *shape):
        return (self.rng.standard_normal(shape) * 0.02).astype(np.float32)

    def linear(self, x, fan_in, fan_out, bias=True):
        w = self.weight(fan_in, fan_out)
        k, self.linears = self.linears, self.linears + 1
        scale = np.float32(np.abs(w).max() / 127.0)
        if self.mode == "dynamic":
            wq = self.const(np.clip(np.round(w / scale), -127, 127).astype(np.int8), "wq")
            q = self.name("xq"), self.name("xs"), self.name("xz")
            self.nodes.append(helper.make_node("DynamicQuantizeLinear", [x], list(q)))
            acc = self.op("MatMulInteger", [q[0], wq, q[2], self.const(np.int8(0), "wz")])
            y = self.op("Mul", [self.op("Cast", [acc], to=TensorProto.FLOAT), self.op("Mul", [q[1], self.const(scale, "ws")])])
        elif self.mode == "static":
            # The QDQ form quantize_static writes: uint8 activations with the calibrated range's
            # scale and zero point, int8 symmetric weights; ONNX Runtime fuses it into an integer MatMul.
            lo, hi = min(self.ranges[k][0], 0.0), max(self.ranges[k][1], 0.0)
            xs = np.float32(max(hi - lo, 1e-8) / 255.0)
            xz = np.uint8(np.clip(np.round(-lo / xs), 0, 255))
            xs_c, xz_c = self.const(xs, "xs"), self.const(xz, "xz")
            xq = self.op("DequantizeLinear", [self.op("QuantizeLinear", [x, xs_c, xz_c]), xs_c, xz_c])
            wq = self.const(np.clip(np.round(w / scale), -127, 127).astype(np.int8), "wq")
            y = self.op("MatMul", [xq, self.op("DequantizeLinear", [wq, self.const(scale, "ws"), self.const(np.int8(0), "wz")])])
        else:
            if self.mode == "calibrate":
                out = "calib_%d" % k
                self.nodes.append(helper.make_node("Identity", [x], [out]))
                self.calibration_outputs.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, None))
            y = self.op("MatMul", [x, self.const(w, "w")])
        return self.op("Add", [y, self.const(np.zeros(fan_out, np.float32), "b")]) if bias else y

    def layer_norm(self, x):
        return self.op("LayerNormalization", [x, self.const(np.ones(D, np.float32), "g"), self.const(np.zeros(D, np.float32), "beta")],
                       axis=-1, epsilon=1e-6)

    def skip_layer_norm(self, x, delta, delta_bias):
        """LayerNorm(x + delta + bias) and the sum itself, in one fused operator."""
        normed, total = self.name("sln"), self.name("residual")
        self.nodes.append(helper.make_node(
            "SkipLayerNormalization",
            [x, delta, self.const(np.ones(D, np.float32), "g"), self.const(np.zeros(D, np.float32), "beta"), delta_bias],
            [normed, "", "", total], domain="com.microsoft", epsilon=1e-6))
        return normed, total

    def bias(self, n):
        return self.const(np.zeros(n, np.float32), "b")

    def attention(self, q, k, v):
        return self.op("MultiHeadAttention", [q, k, v], domain="com.microsoft", num_heads=HEADS)

    def mlp(self, h):
        up = self.linear(h, D, MLP, bias=False)
        return self.linear(self.op("FastGelu", [up, self.bias(MLP)], domain="com.microsoft"), MLP, D, bias=False)

    def self_attention(self, h):
        qkv = self.linear(h, D, 3 * D)
        q, k, v = (self.name("q"), self.name("k"), self.name("v"))
        self.nodes.append(helper.make_node("Split", [qkv, self.const(np.array([D, D, D], np.int64), "split")], [q, k, v], axis=-1))
        return self.linear(self.attention(q, k, v), D, D, bias=False)

    def encoder(self, x):
        """Pre-norm blocks x += attn(LN(x)); x += mlp(LN(x)), then the final LayerNorm."""
        h = self.layer_norm(x)
        for layer in range(LAYERS):
            h, x = self.skip_layer_norm(x, self.self_attention(h), self.bias(D))
            h, x = self.skip_layer_norm(x, self.mlp(h), self.bias(D))  # the last one is the final norm
        return h


def vision(rng, mode, ranges=None):
    g = Graph(rng, mode, ranges)
    tokens = (IMAGE // PATCH) ** 2
    conv = g.op("Conv", ["image", g.const(g.weight(D, 3, PATCH, PATCH), "patch"), g.const(np.zeros(D, np.float32), "pb")],
                strides=[PATCH, PATCH])
    x = g.op("Transpose", [g.op("Reshape", [conv, g.const(np.array([0, D, tokens], np.int64), "shape")])], perm=[0, 2, 1])
    x = g.op("Add", [x, g.const(g.weight(1, tokens, D), "pos")])
    x = g.encoder(x)
    # MAP head: a learned probe query attends over all tokens.
    probe = g.op("Expand", [g.const(g.weight(1, 1, D), "probe"),
                            g.op("Concat", [g.op("Slice", [g.op("Shape", [x]), g.const(np.array([0], np.int64)), g.const(np.array([1], np.int64))]),
                                            g.const(np.array([1, D], np.int64))], axis=0)])
    q = g.linear(probe, D, D)
    kv = g.linear(x, D, 2 * D)
    k, v = g.name("k"), g.name("v")
    g.nodes.append(helper.make_node("Split", [kv, g.const(np.array([D, D], np.int64), "split")], [k, v], axis=-1))
    pooled = g.linear(g.attention(q, k, v), D, D)
    pooled = g.op("Add", [pooled, g.op("Add", [g.mlp(g.layer_norm(pooled)), g.bias(D)])])
    out = g.op("Reshape", [pooled, g.const(np.array([-1, D], np.int64), "shape")])
    g.nodes.append(helper.make_node("Identity", [out], ["embedding"]))
    return model(g, "siglip_visual", helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, IMAGE, IMAGE]))


def text(rng, mode):
    g = Graph(rng, mode)
    x = g.op("Gather", [g.const(g.weight(VOCAB, D), "tok"), "text"], axis=0)
    x = g.op("Add", [x, g.const(g.weight(1, CONTEXT, D), "pos")])
    x = g.encoder(x)
    last = g.op("Gather", [x, g.const(np.int64(CONTEXT - 1))], axis=1)
    g.nodes.append(helper.make_node("Identity", [g.linear(last, D, D)], ["embedding"]))
    return model(g, "siglip_textual", helper.make_tensor_value_info("text", TensorProto.INT64, ["batch", CONTEXT]))


def model(g, name, inp):
    outputs = [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", D])] + g.calibration_outputs
    graph = helper.make_graph(g.nodes, name, [inp], outputs, g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)])
    m.ir_version = 8
    return m


def tokenizer():
    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for i in range(VOCAB - 3):
        vocab["w%d" % i] = len(vocab)
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": {"type": "Lowercase"},
            "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None, "decoder": None,
            "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"}}


def matmul_ceiling():
    """One MatMul of the ViT MLP's shape, [8, 196, 768] x [768, 3072]: the fastest dense work this
    machine's ONNX Runtime can do, the in-run reference for how close the whole graph gets."""
    w = numpy_helper.from_array((np.random.default_rng(3).standard_normal((D, MLP)) * 0.02).astype(np.float32), "w")
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "ceiling",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 196, D])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 196, MLP])], [w])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 8
    return m


def matmul_ceiling_int8():
    """The same MatMul in the int8 graph's dynamic-quantisation pattern, which ONNX Runtime fuses
    into one DynamicQuantizeMatMul: the in-run reference for the int8 graphs."""
    g = Graph(np.random.default_rng(3), "dynamic")
    y = g.linear("x", D, MLP, bias=False)
    g.nodes.append(helper.make_node("Identity", [y], ["y"]))
    graph = helper.make_graph(g.nodes, "ceiling_int8", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 196, D])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 196, MLP])], g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 8
    return m


def write_model(root, visual, textual):
    """One model folder in the layout Loupe loads."""
    for sub in ("visual", "textual"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    save_model(visual, os.path.join(root, "visual", "model.onnx"))
    save_model(textual, os.path.join(root, "textual", "model.onnx"))
    with open(os.path.join(root, "config.json"), "w") as f:
        json.dump({"embed_dim": D, "vision_cfg": {"image_size": IMAGE}, "text_cfg": {"context_length": CONTEXT, "pad_id": 1}}, f)
    with open(os.path.join(root, "visual", "preprocess_cfg.json"), "w") as f:
        json.dump({"size": [IMAGE, IMAGE], "mode": "RGB", "mean": [0.5] * 3, "std": [0.5] * 3,
                   "interpolation": "bicubic", "resize_mode": "squash"}, f)
    with open(os.path.join(root, "textual", "tokenizer.json"), "w") as f:
        json.dump(tokenizer(), f)
    print(root)


def main(out):
    os.makedirs(out, exist_ok=True)
    save_model(matmul_ceiling(), os.path.join(out, "matmul-ceiling.onnx"))
    save_model(matmul_ceiling_int8(), os.path.join(out, "matmul-ceiling-int8.onnx"))
    for mode, suffix in (("fp32", ""), ("dynamic", "-int8")):
        root = os.path.join(out, "siglip-random" + suffix)
        write_model(root, vision(np.random.default_rng(1), mode), text(np.random.default_rng(2), mode))
    # The fp32 image tower again, with each linear layer's input as an output, for calibration.
    os.makedirs(os.path.join(out, "siglip-random-calibrate"), exist_ok=True)
    save_model(vision(np.random.default_rng(1), "calibrate"), os.path.join(out, "siglip-random-calibrate", "visual.onnx"))


def main_static(ranges_file, out):
    """The statically quantised image tower from a calibration run's ranges (the text tower stays dynamic int8)."""
    with open(ranges_file) as f:
        ranges = json.load(f)["ranges"]
    root = os.path.join(out, "siglip-random-int8-static")
    write_model(root, vision(np.random.default_rng(1), "static", ranges), text(np.random.default_rng(2), "dynamic"))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--static":
        main_static(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2:
        main(sys.argv[1])
    else:
        sys.exit("usage: siglip_random.py OUT_DIR | siglip_random.py --static RANGES_JSON OUT_DIR")
