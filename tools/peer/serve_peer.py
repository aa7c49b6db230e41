#!/usr/bin/python3
"""The DCGAN article's serving stack as a peer for `rawgan serve`: FastAPI + uvicorn + PyTorch (Debian's
python3-fastapi, python3-uvicorn, python3-torch, python3-pil) serving a RawGan DCGAN generator.safetensors, loaded
into PyTorch's DCGAN generator through its state_dict names (load_generator.py). One endpoint, the subset of
`rawgan serve`'s that tools/load/load.py drives:

    POST /generate {"seed": S, "count": N}  ->  PNG of the first image (count 1) or a grid (count > 1)

    /usr/bin/python3 tools/peer/serve_peer.py GENERATOR.safetensors [--port 8081] [--threads 2]

Each request runs its own forward (no batching: the article's service), eval mode, no autograd.
"""
import argparse
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import FastAPI, HTTPException  # noqa: E402
from fastapi.responses import Response  # noqa: E402
from PIL import Image  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from gan_step import dcgan  # noqa: E402
from load_generator import read_safetensors  # noqa: E402


class GenerateRequest(BaseModel):
    seed: int = 0
    count: int = 1


def load(path):
    tensors, meta = read_safetensors(path)
    config = json.loads(meta["config"])
    if config["model"] != "dcgan" or config["variant"] != "pytorch":
        raise SystemExit("serve_peer.py serves the PyTorch-variant DCGAN generator")
    size, nc = int(meta["image_size"]), int(meta["channels"])
    G = dcgan(size, nz=config["nz"], ngf=config["ngf"], ndf=config["ndf"], nc=nc)[0].net
    generator = torch.nn.Module()
    generator.main = G
    generator.load_state_dict(tensors, strict=True)
    generator.eval()
    return G, config["nz"]


def png(images):
    """[N, C, H, W] in [-1, 1] to one PNG, images side by side (torchvision's save_image mapping)."""
    pixels = ((images.clamp(-1, 1) + 1) / 2 * 255 + 0.5).to(torch.uint8)
    n, c, h, w = pixels.shape
    strip = pixels.permute(2, 0, 3, 1).reshape(h, n * w, c).numpy()
    buffer = io.BytesIO()
    Image.fromarray(strip[:, :, 0] if c == 1 else strip).save(buffer, format="PNG")
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("generator")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    G, nz = load(args.generator)
    app = FastAPI()

    @app.post("/generate")
    def generate(request: GenerateRequest):  # a plain def: FastAPI runs it in its thread pool
        if not 1 <= request.count <= 64:
            raise HTTPException(status_code=400, detail="count must be from 1 to 64")
        z = torch.randn(request.count, nz, 1, 1, generator=torch.Generator().manual_seed(request.seed))
        with torch.no_grad():
            images = G(z)
        return Response(png(images), media_type="image/png")

    @app.get("/health")
    def health():
        return {"status": "ready"}

    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    np.random.seed(0)
    main()
