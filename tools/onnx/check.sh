#!/usr/bin/env bash
# Runs onnx.checker (full check, with shape inference) on exported generators, with Debian's python3-onnx
# (apt-get install python3-onnx): a second, independent reader of `rawgan export --onnx` files.
#
#   tools/onnx/check.sh gen.onnx [more.onnx ...]
set -euo pipefail
(( $# > 0 )) || { echo "usage: tools/onnx/check.sh FILE.onnx..." >&2; exit 2; }
/usr/bin/python3 - "$@" <<'PY'
import sys
import onnx

for path in sys.argv[1:]:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    meta = {p.key: p.value for p in model.metadata_props}
    inputs = [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]) for i in model.graph.input]
    print(f"{path}: ok (IR {model.ir_version}, opset {model.opset_import[0].version}, {len(model.graph.node)} nodes, "
          f"inputs {inputs}, model {meta.get('model')}, nz {meta.get('nz')}, classes {meta.get('classes')})")
PY
