"""Inference: the predictor stages, the folder runner, tiling, latent sampling."""
