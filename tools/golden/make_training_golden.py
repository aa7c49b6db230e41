#!/usr/bin/python3
"""Training regression reference: six PyTorch GAN steps that RawGan's trainer must replay.

Regenerate (from the repository root):

    /usr/bin/python3 tools/golden/make_training_golden.py

Writes tests/RawGan.Tests/Golden/data/train_dcgan32.bin and train_cgan.bin in the
golden format described in golden_format.py / GoldenFile.cs. Everything is float32
on the CPU, single-threaded, seeded; running it twice gives identical bytes.

Why: per-op golden files (make_golden.py) show each op agrees with PyTorch; this
shows the ops are *wired* the same way: same layer order, BatchNorm modes and
running-stat updates, loss reduction, which forwards run in train mode, Adam's
bias correction, and the order of the D and G updates. From the same initial
weights, data, noise and dropout masks, RawGan's losses must follow these.

Models
------
dcgan32 (nc=1, nz=100, ngf=ndf=16, 32x32), names main.N.*:
  G: main.0 ConvT(100,64,4,1,0)  1 BN(64)  2 ReLU  3 ConvT(64,32,4,2,1)  4 BN(32)  5 ReLU
     6 ConvT(32,16,4,2,1)  7 BN(16)  8 ReLU  9 ConvT(16,1,4,2,1)  10 Tanh        (no conv bias)
     G's input is z.view(N, 100, 1, 1); z is stored as [N, 100].
  D: main.0 Conv(1,16,4,2,1)  1 LReLU(0.2)  2 Conv(16,32,4,2,1)  3 BN(32)  4 LReLU
     5 Conv(32,64,4,2,1)  6 BN(64)  7 LReLU  8 Conv(64,1,4,1,0)  9 Sigmoid; output .view(-1) -> [N]
  Initialised by pytorch/examples' weights_init (conv N(0, 0.02); BN weight N(1, 0.02), bias 0).
cgan (MNIST, 1x28x28, nz=100, 10 classes), names label_emb.weight / label_embedding.weight, model.N.*:
  G: input cat(label_emb(gen_labels), z) (embedding FIRST), model.0 Linear(110,128) 1 LReLU(0.2)
     2 Linear(128,256) 3 BN1d(256, eps=0.8) 4 LReLU 5 Linear(256,512) 6 BN1d(512, eps=0.8) 7 LReLU
     8 Linear(512,1024) 9 BN1d(1024, eps=0.8) 10 LReLU 11 Linear(1024,784) 12 Tanh; view(N,1,28,28)
  D: input cat(img.view(N,-1), label_embedding(labels)) (image FIRST), model.0 Linear(794,512) 1 LReLU
     2 Linear(512,512) 3 Dropout(0.4) 4 LReLU 5 Linear(512,512) 6 Dropout(0.4) 7 LReLU
     8 Linear(512,1) 9 Sigmoid; output .view(-1) -> [N]
  PyTorch's default initialisation. Dropout is replayed from recorded masks:
  y = x * mask / (1 - 0.4), mask in {0, 1} (1 = kept), float32 [N, 512].
  (eriklindernoren's cgan.py itself has no Sigmoid, uses MSELoss and updates G before D; this
  reference follows RawGan's recipe instead: Sigmoid + BCELoss, D step then G step.)

Both: Adam(lr 2e-4, betas (0.5, 0.999), eps 1e-8, no weight decay) for G and for D, BCELoss
(mean), batch N = 8, 6 steps. G and D stay in train mode throughout (BatchNorm uses batch
statistics and updates its running stats on every forward, D's included in the G step).

One step k (exactly this order)
-------------------------------
  real      = stepk.real                [N,C,H,W] in [-1, 1]
  labels    = stepk.labels              [N] int32   (cgan only)
  z         = stepk.z                   [N, 100]
  gen_labels= stepk.gen_labels          [N] int32   (cgan only)
  D step:
    D.zero_grad()
    out_real  = D(real, labels)                       cgan masks: stepk.mask.real.0, .1
    loss_real = BCE(out_real, 1)
    fake      = G(z, gen_labels)                      (G forward ONCE per step; BN stats of G update once)
    out_fake  = D(fake.detach(), gen_labels)          cgan masks: stepk.mask.fake_detached.0, .1
    loss_fake = BCE(out_fake, 0)
    dcgan: d_loss = loss_real + loss_fake   (backward each separately, as pytorch/examples does;
                                             config.d_loss_average = 0)
    cgan:  d_loss = (loss_real + loss_fake) / 2, one backward      (config.d_loss_average = 1)
    optD.step()
  G step:
    G.zero_grad()
    out_g  = D(fake, gen_labels)   (the SAME fake tensor; D already updated)
                                                      cgan masks: stepk.mask.fake.0, .1
    g_loss = BCE(out_g, 1); g_loss.backward(); optG.step()

Tensors in each file
--------------------
  config.nz, config.batch, config.steps, config.classes (int32; classes 0 for dcgan32),
  config.lr, config.beta1, config.beta2, config.eps, config.dropout_p (float64),
  config.d_loss_average (int32)
  init.G.<state_dict name>, init.D.<state_dict name>   every entry, BN running stats too;
                                                      num_batches_tracked as an int32 scalar
  per step k = 0..5:
    stepk.real, stepk.z, [stepk.labels, stepk.gen_labels]
    [stepk.mask.real.0, stepk.mask.real.1, stepk.mask.fake_detached.0, stepk.mask.fake_detached.1,
     stepk.mask.fake.0, stepk.mask.fake.1]                                         (cgan only)
    stepk.fake       G(z) [N,C,H,W], from the D step's forward
    stepk.out_real, stepk.out_fake, stepk.out_g      D outputs [N]
    stepk.d_loss, stepk.d_loss_real, stepk.d_loss_fake, stepk.g_loss   float32 scalars
    stepk.d_x = mean(out_real), stepk.d_g_z1 = mean(out_fake), stepk.d_g_z2 = mean(out_g)
  after the last step:
    final_l2.G.<name>, final_l2.D.<name>   float64 L2 norm of every float state_dict entry
    final.G.<name>, final.D.<name>         full state_dict (dcgan32 only; cgan's would double its size)
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_format import GoldenWriter  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "tests", "RawGan.Tests", "Golden", "data")

torch.set_num_threads(1)

BATCH = 8
STEPS = 6
NZ = 100
LR, BETA1, BETA2, EPS = 2e-4, 0.5, 0.999, 1e-8
DROPOUT_P = 0.4


# --------------------------------------------------------------------------- models

class DcganG(nn.Module):
    def __init__(self, nz=NZ, ngf=16, nc=1):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, z, labels=None):
        return self.main(z.view(z.shape[0], z.shape[1], 1, 1))


class DcganD(nn.Module):
    def __init__(self, ndf=16, nc=1):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, img, labels=None):
        return self.main(img).view(-1)


def dcgan_weights_init(m):
    """pytorch/examples dcgan/main.py weights_init."""
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class RecordedDropout(nn.Module):
    """Dropout whose masks are drawn with torch.rand from our own generator and
    appended to a list, so the C# test can apply exactly the same ones:
    y = x * mask / (1 - p), mask = (rand >= p) in {0, 1}. No parameters, so
    the state_dict names match nn.Dropout's (none)."""

    def __init__(self, p, generator, record):
        super().__init__()
        self.p = p
        self.generator = generator
        self.record = record

    def forward(self, x):
        mask = (torch.rand(x.shape, generator=self.generator) >= self.p).to(x.dtype)
        self.record.append(mask)
        return x * mask / (1 - self.p)


class CganG(nn.Module):
    def __init__(self, nz=NZ, classes=10, img=(1, 28, 28)):
        super().__init__()
        self.img = img
        self.label_emb = nn.Embedding(classes, classes)

        def block(i, o, normalize=True):
            layers = [nn.Linear(i, o)]
            if normalize:
                layers.append(nn.BatchNorm1d(o, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(nz + classes, 128, normalize=False), *block(128, 256), *block(256, 512), *block(512, 1024),
            nn.Linear(1024, img[0] * img[1] * img[2]), nn.Tanh())

    def forward(self, z, labels):
        x = torch.cat((self.label_emb(labels), z), -1)
        return self.model(x).view(z.shape[0], *self.img)


class CganD(nn.Module):
    def __init__(self, generator, record, classes=10, img=(1, 28, 28)):
        super().__init__()
        self.label_embedding = nn.Embedding(classes, classes)
        self.model = nn.Sequential(
            nn.Linear(classes + img[0] * img[1] * img[2], 512), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 512), RecordedDropout(DROPOUT_P, generator, record), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 512), RecordedDropout(DROPOUT_P, generator, record), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 1), nn.Sigmoid())

    def forward(self, img, labels):
        x = torch.cat((img.view(img.shape[0], -1), self.label_embedding(labels)), -1)
        return self.model(x).view(-1)


# --------------------------------------------------------------------------- recording

def add_state(g, prefix, module):
    for name, value in module.state_dict().items():
        if value.dtype == torch.int64:
            g.add(f"{prefix}.{name}", value.to(torch.int32))
        else:
            g.add(f"{prefix}.{name}", value.clone())


def add_l2(g, prefix, module):
    for name, value in module.state_dict().items():
        if value.is_floating_point():
            g.f64(f"{prefix}.{name}", value.double().norm().item())


def train(g, G, D, img_shape, classes, masks, seed, average_d_loss):
    """Runs STEPS steps in the order documented at the top, recording everything."""
    data = torch.Generator().manual_seed(seed)
    optG = torch.optim.Adam(G.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)
    optD = torch.optim.Adam(D.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)
    bce = nn.BCELoss()
    G.train()
    D.train()
    ones = torch.ones(BATCH)
    zeros = torch.zeros(BATCH)

    def take_masks(k, what):
        assert len(masks) == (2 if classes else 0), f"expected two dropout masks per D forward, got {len(masks)}"
        for i, m in enumerate(masks):
            g.add(f"step{k}.mask.{what}.{i}", m)
        masks.clear()

    for k in range(STEPS):
        real = torch.rand((BATCH, *img_shape), generator=data) * 2 - 1
        z = torch.randn((BATCH, NZ), generator=data)
        g.add(f"step{k}.real", real)
        g.add(f"step{k}.z", z)
        labels = gen_labels = None
        if classes:
            labels = torch.randint(0, classes, (BATCH,), generator=data)
            gen_labels = torch.randint(0, classes, (BATCH,), generator=data)
            g.add(f"step{k}.labels", labels.to(torch.int32))
            g.add(f"step{k}.gen_labels", gen_labels.to(torch.int32))

        # D step
        D.zero_grad()
        out_real = D(real, labels)
        take_masks(k, "real")
        loss_real = bce(out_real, ones)
        if not average_d_loss:
            loss_real.backward()
        fake = G(z, gen_labels)
        out_fake = D(fake.detach(), gen_labels)
        take_masks(k, "fake_detached")
        loss_fake = bce(out_fake, zeros)
        if average_d_loss:
            d_loss = (loss_real + loss_fake) / 2
            d_loss.backward()
        else:
            loss_fake.backward()
            d_loss = loss_real + loss_fake
        optD.step()

        # G step
        G.zero_grad()
        out_g = D(fake, gen_labels)
        take_masks(k, "fake")
        g_loss = bce(out_g, ones)
        g_loss.backward()
        optG.step()

        for name, v in [("fake", fake), ("out_real", out_real), ("out_fake", out_fake), ("out_g", out_g),
                        ("d_loss", d_loss), ("d_loss_real", loss_real), ("d_loss_fake", loss_fake),
                        ("g_loss", g_loss), ("d_x", out_real.mean()), ("d_g_z1", out_fake.mean()),
                        ("d_g_z2", out_g.mean())]:
            g.add(f"step{k}.{name}", v.detach().clone())
        print(f"  step {k}: d_loss {d_loss.item():.6f}  g_loss {g_loss.item():.6f}  "
              f"D(x) {out_real.mean().item():.4f}  D(G(z)) {out_fake.mean().item():.4f} / {out_g.mean().item():.4f}")


def add_config(g, classes, average_d_loss):
    g.i32("config.nz", NZ)
    g.i32("config.batch", BATCH)
    g.i32("config.steps", STEPS)
    g.i32("config.classes", classes)
    g.f64("config.lr", LR)
    g.f64("config.beta1", BETA1)
    g.f64("config.beta2", BETA2)
    g.f64("config.eps", EPS)
    g.f64("config.dropout_p", DROPOUT_P if classes else 0.0)
    g.i32("config.d_loss_average", 1 if average_d_loss else 0)


def dcgan32():
    """The DCGAN recipe at a size the CPU test runs in seconds: conv/convT, BatchNorm2d
    in train mode with running stats, Sigmoid + BCE, summed D loss."""
    g = GoldenWriter("train_dcgan32")
    add_config(g, 0, average_d_loss=False)
    torch.manual_seed(32)
    G, D = DcganG(), DcganD()
    G.apply(dcgan_weights_init)
    D.apply(dcgan_weights_init)
    add_state(g, "init.G", G)
    add_state(g, "init.D", D)
    train(g, G, D, (1, 32, 32), 0, [], seed=3232, average_d_loss=False)
    add_l2(g, "final_l2.G", G)
    add_l2(g, "final_l2.D", D)
    add_state(g, "final.G", G)
    add_state(g, "final.D", D)
    return g


def cgan():
    """The MNIST CGAN recipe: embeddings and concatenation order, BatchNorm1d with
    eps 0.8, dropout (replayed from masks), averaged D loss."""
    g = GoldenWriter("train_cgan")
    add_config(g, 10, average_d_loss=True)
    torch.manual_seed(28)
    masks = []
    dropout_rng = torch.Generator().manual_seed(2828)
    G, D = CganG(), CganD(dropout_rng, masks)
    add_state(g, "init.G", G)
    add_state(g, "init.D", D)
    train(g, G, D, (1, 28, 28), 10, masks, seed=2929, average_d_loss=True)
    add_l2(g, "final_l2.G", G)
    add_l2(g, "final_l2.D", D)
    return g


def main():
    os.makedirs(OUT, exist_ok=True)
    for make in (dcgan32, cgan):
        print(make.__name__)
        w = make()
        path = w.save(OUT)
        print(f"{os.path.relpath(path, REPO)}: {len(w.tensors)} tensors, {os.path.getsize(path)} bytes")
    print(f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
