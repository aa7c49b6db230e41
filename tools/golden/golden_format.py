"""Writer for RawGan's golden files (shared by make_golden.py and make_training_golden.py).

File format (version 1), all integers little-endian int32:

    8 bytes   ASCII magic "RGGOLDEN"
    int32     version = 1
    int32     tensor count
    per tensor, in the order written:
        int32     name length in bytes
        bytes     name, UTF-8 (no terminator)
        int32     dtype code: 0 = float32, 1 = float64, 2 = int32
        int32     rank (0 for a scalar)
        int32[rank] dims
        raw data, row-major (C order), little-endian, prod(dims) elements (1 for rank 0)

The C# reader is tests/RawGan.Tests/Golden/GoldenFile.cs.
"""

import os
import struct

import numpy as np
import torch

MAGIC = b"RGGOLDEN"
VERSION = 1
DTYPES = {np.dtype("<f4"): 0, np.dtype("<f8"): 1, np.dtype("<i4"): 2}


def _as_array(value, dtype=None):
    """float32 stays float32, float64 stays float64, integers and bools become int32."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    arr = np.asarray(value)
    if dtype is not None:
        arr = arr.astype(dtype)
    elif arr.dtype.kind in "iub":
        arr = arr.astype(np.int32)
    arr = np.array(arr, dtype=arr.dtype.newbyteorder("<"), order="C")  # not ascontiguousarray: it makes scalars rank 1
    if arr.dtype not in DTYPES:
        raise TypeError(f"unsupported dtype {arr.dtype}")
    return arr


class GoldenWriter:
    """Collects named tensors and writes them as one golden file."""

    def __init__(self, name):
        self.name = name
        self.tensors = {}

    def add(self, name, value, dtype=None):
        """Adds a tensor. float32 tensors stay float32, float64 stay float64, integer and bool become int32."""
        if name in self.tensors:
            raise KeyError(f"{self.name}: duplicate tensor name {name!r}")
        self.tensors[name] = _as_array(value, dtype)

    def i32(self, name, values):
        self.add(name, np.asarray(values, dtype=np.int32))

    def f64(self, name, value):
        self.add(name, np.asarray(value, dtype=np.float64))

    def save(self, directory):
        path = os.path.join(directory, self.name + ".bin")
        with open(path, "wb") as f:
            f.write(MAGIC)
            f.write(struct.pack("<ii", VERSION, len(self.tensors)))
            for name, arr in self.tensors.items():
                encoded = name.encode("utf-8")
                f.write(struct.pack("<i", len(encoded)))
                f.write(encoded)
                f.write(struct.pack("<ii", DTYPES[arr.dtype], arr.ndim))
                if arr.ndim:
                    f.write(struct.pack(f"<{arr.ndim}i", *arr.shape))
                f.write(arr.tobytes(order="C"))
        return path


def read_golden(path):
    """Reads a golden file back into {name: numpy array} (for checks and debugging)."""
    codes = {0: "<f4", 1: "<f8", 2: "<i4"}
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a RawGan golden file (magic {data[:8]!r})")
    version, count = struct.unpack_from("<ii", data, 8)
    if version != VERSION:
        raise ValueError(f"{path}: version {version}, expected {VERSION}")
    offset, out = 16, {}
    for _ in range(count):
        (length,) = struct.unpack_from("<i", data, offset)
        offset += 4
        name = data[offset:offset + length].decode("utf-8")
        offset += length
        code, rank = struct.unpack_from("<ii", data, offset)
        offset += 8
        dims = struct.unpack_from(f"<{rank}i", data, offset)
        offset += 4 * rank
        arr = np.frombuffer(data, codes[code], int(np.prod(dims, dtype=np.int64)), offset).reshape(dims)
        offset += arr.nbytes
        out[name] = arr
    if offset != len(data):
        raise ValueError(f"{path}: {len(data) - offset} trailing bytes")
    return out
