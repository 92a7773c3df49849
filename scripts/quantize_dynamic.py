#!/usr/bin/python3
"""Dynamic int8 quantisation of a dual encoder in the OpenCLIP/Immich layout, the way
ONNX Runtime's quantize_dynamic does it: every MatMul (and Gemm) whose weight is a
constant becomes DynamicQuantizeLinear(activation) + MatMulInteger(int8 weight,
per-tensor symmetric) + Cast + scale, which ONNX Runtime fuses into DynamicQuantizeMatMul.
Activations stay float between layers; all other files are copied unchanged.

    python3 scripts/quantize_dynamic.py SRC_MODEL_DIR DST_MODEL_DIR
prints the number of weights quantised per tower.
"""
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def quantize(model):
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    new_nodes, new_inits, count = [], [], 0
    for node in graph.node:
        weight_name = None
        if node.op_type == "MatMul" and node.input[1] in inits:
            weight_name = node.input[1]
        elif node.op_type == "Gemm" and node.input[1] in inits and not any(
                a.name in ("transA", "alpha", "beta") and (a.i if a.name == "transA" else a.f) not in (0, 1.0) for a in node.attribute):
            weight_name = node.input[1]
        w = numpy_helper.to_array(inits[weight_name]) if weight_name else None
        if w is None or w.ndim != 2 or w.dtype != np.float32:
            new_nodes.append(node)
            continue
        if node.op_type == "Gemm" and any(a.name == "transB" and a.i == 1 for a in node.attribute):
            w = w.T
        count += 1
        p = "%s_q%d" % (node.name or node.op_type, count)
        scale = np.float32(max(np.abs(w).max(), 1e-12) / 127.0)
        new_inits += [numpy_helper.from_array(np.clip(np.round(w / scale), -127, 127).astype(np.int8), p + "_w"),
                      numpy_helper.from_array(np.array(scale, np.float32), p + "_ws"),
                      numpy_helper.from_array(np.array(0, np.int8), p + "_wz")]
        x = node.input[0]
        new_nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [p + "_x", p + "_xs", p + "_xz"]),
            helper.make_node("MatMulInteger", [p + "_x", p + "_w", p + "_xz", p + "_wz"], [p + "_acc"]),
            helper.make_node("Cast", [p + "_acc"], [p + "_f"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "_xs", p + "_ws"], [p + "_s"]),
        ]
        out = node.output[0]
        if node.op_type == "Gemm" and len(node.input) > 2 and node.input[2]:
            new_nodes += [helper.make_node("Mul", [p + "_f", p + "_s"], [p + "_y"]),
                          helper.make_node("Add", [p + "_y", node.input[2]], [out])]
        else:
            new_nodes.append(helper.make_node("Mul", [p + "_f", p + "_s"], [out]))
    quantised = {n.input[1] for n in graph.node if n.op_type in ("MatMul", "Gemm") and n.input[1] in inits}
    still_used = {i for n in new_nodes for i in n.input}
    kept = [i for i in graph.initializer if not (i.name in quantised and i.name not in still_used)]
    del graph.node[:]
    graph.node.extend(new_nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    return count


def main(src, dst):
    if os.path.abspath(src) == os.path.abspath(dst):
        sys.exit("destination must differ from source")
    shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.part", "loupe-lock.json"))
    for tower in ("visual", "textual"):
        path = os.path.join(dst, tower, "model.onnx")
        model = onnx.load(path)
        n = quantize(model)
        onnx.save(model, path)
        print("%s: %d weights quantised" % (tower, n))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: quantize_dynamic.py SRC_MODEL_DIR DST_MODEL_DIR")
    main(sys.argv[1], sys.argv[2])
