#!/usr/bin/python3
"""Loads a RawGan DCGAN generator.safetensors into PyTorch's DCGAN Generator (the one in gan_step.py, which is the
pytorch/examples model with its depth following the image size, under the attribute `main` as there) with
load_state_dict(strict=True), then generates a batch from it. Needs only torch and numpy.

    /usr/bin/python3 tools/peer/load_generator.py RUN_DIR/generator.safetensors
"""
import json
import struct
import sys

import numpy as np
import torch

from gan_step import dcgan

DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data[begin:end], DTYPES[t["dtype"]]).reshape(t["shape"]).copy())
    return tensors, meta


def main():
    tensors, meta = read_safetensors(sys.argv[1])
    config = json.loads(meta["config"])
    assert config["model"] == "dcgan" and config["variant"] == "pytorch", "this checks the PyTorch-variant DCGAN"
    size, nc = int(meta["image_size"]), int(meta["channels"])
    G = dcgan(size, nz=config["nz"], ngf=config["ngf"], ndf=config["ndf"], nc=nc)[0].net
    generator = torch.nn.Module()
    generator.main = G  # pytorch/examples' Generator keeps its layers in self.main: names main.0.weight, ...
    generator.load_state_dict(tensors, strict=True)
    generator.eval()
    z = torch.randn(4, config["nz"], 1, 1)
    with torch.no_grad():
        images = G(z)
    print(f"loaded {len(tensors)} tensors into PyTorch's DCGAN generator ({size}x{size}, nc={nc}); "
          f"output {tuple(images.shape)} in [{images.min():.3f}, {images.max():.3f}]")


if __name__ == "__main__":
    main()
