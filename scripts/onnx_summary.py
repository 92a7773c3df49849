#!/usr/bin/python3
"""Summarises an ONNX model as JSON, for tests that must judge a model file by its
contents (ModelsCommandTest): how many nodes of each op type, how many initialisers
of each element type, and how many MatMul/Gemm nodes still take a constant float weight.

    python3 scripts/onnx_summary.py MODEL.onnx
"""
import collections
import json
import sys

import onnx
from onnx import TensorProto


def summary(path):
    model = onnx.load(path)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    ops = collections.Counter(n.op_type for n in graph.node)
    types = collections.Counter(TensorProto.DataType.Name(i.data_type) for i in graph.initializer)
    float_weights = sum(1 for n in graph.node if n.op_type in ("MatMul", "Gemm") and len(n.input) > 1
                        and n.input[1] in inits and inits[n.input[1]].data_type == TensorProto.FLOAT)
    return {"ops": dict(ops), "initializers": dict(types), "float_matmul_weights": float_weights}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: onnx_summary.py MODEL.onnx")
    print(json.dumps(summary(sys.argv[1]), sort_keys=True))
