#!/usr/bin/python3
"""Writes a dynamic-batch copy of an ONNX face recogniser exported with a fixed batch of 1,
for the test of FaceEmbedder's batched path (no published recogniser available offline has a
dynamic batch). The input's and output's first dimension become 'N', and a final Reshape to
[1, -1] becomes [0, -1] (0: keep the batch dimension), which is the only place the traced
batch of 1 survives in MobileFaceNet-style exports; the weights are untouched.

    python3 scripts/face_embed_dynamic.py IN.onnx OUT.onnx
"""
import sys

import onnx
from onnx import numpy_helper


def main(src, dst):
    model = onnx.load(src)
    graph = model.graph
    graph.input[0].type.tensor_type.shape.dim[0].dim_param = "N"
    graph.output[0].type.tensor_type.shape.dim[0].dim_param = "N"
    inits = {i.name: i for i in graph.initializer}
    changed = 0
    for node in graph.node:
        if node.op_type == "Reshape" and node.input[1] in inits:
            shape = numpy_helper.to_array(inits[node.input[1]])
            if len(shape) == 2 and shape[0] == 1 and shape[1] == -1:
                shape = shape.copy()
                shape[0] = 0
                inits[node.input[1]].CopyFrom(numpy_helper.from_array(shape, node.input[1]))
                changed += 1
    if changed != 1:
        sys.exit(f"expected one Reshape to [1, -1], found {changed}")
    onnx.checker.check_model(model)
    onnx.save(model, dst)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: face_embed_dynamic.py IN.onnx OUT.onnx")
    main(sys.argv[1], sys.argv[2])
