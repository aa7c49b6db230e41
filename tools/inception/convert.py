#!/usr/bin/python3
"""Converts a PyTorch state_dict (.pth) to safetensors, names and values unchanged.

Made for pytorch-fid's FID Inception-v3 weights, which RawGan cannot download:

    /usr/bin/python3 tools/inception/convert.py pt_inception-2015-12-05-6726825d.pth inception.safetensors
    rawgan eval ... --inception inception.safetensors      (or RAWGAN_INCEPTION=inception.safetensors)

The input may be a state_dict, a dict holding one under "state_dict", or a whole pickled module. Tensors are
written as they are (float32 stays F32, the BatchNorm counters stay I64), row-major and little-endian, in the
order of the file, with the source file's name in the metadata. Needs only python3-torch (no safetensors
package: the format is an 8-byte header length, a JSON header, then the raw bytes).
"""

import json
import os
import struct
import sys

import torch

DTYPES = {
    torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
}


def state_dict_of(obj, path):
    if isinstance(obj, torch.nn.Module):
        return obj.state_dict()
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if isinstance(obj, dict) and all(isinstance(v, torch.Tensor) for v in obj.values()):
        return obj
    sys.exit(f"convert: {path} holds no state_dict (a dict of tensors), but a {type(obj).__name__}")


def raw_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)  # numpy has no bfloat16; the bits are what the file holds
    return t.numpy().tobytes()  # little-endian on every machine PyTorch runs on


def write_safetensors(tensors, path, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        if t.dtype not in DTYPES:
            sys.exit(f"convert: tensor {name!r} has dtype {t.dtype}, which safetensors cannot hold")
        data = raw_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data start 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def convert(source, destination):
    state = state_dict_of(torch.load(source, map_location="cpu"), source)
    write_safetensors(state, destination, {"source": os.path.basename(source), "format": "pt"})
    return state


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: convert.py WEIGHTS.pth OUT.safetensors")
    state = convert(argv[1], argv[2])
    size = sum(t.numel() * t.element_size() for t in state.values())
    print(f"{argv[2]}: {len(state)} tensors, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv)
