"""Bundled model weights (safetensors + model card per folder) and sample images; data, not code."""
