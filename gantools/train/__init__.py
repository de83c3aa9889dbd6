"""Training: the phase loop, adversarial losses and penalties, DiffAugment, EMA, checkpoints, RNG, DDP, run folders."""
