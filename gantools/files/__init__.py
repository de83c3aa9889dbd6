"""Files on disk: image decoding and encoding, atomic writes, model weights and cards."""
