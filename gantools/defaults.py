"""Defaults that the command line shows in its help, kept apart from the modules that use them (which import torch,
OpenCV and PyAV), so `gantools --help` and a usage error need none of those."""

# Refuse images declaring more pixels than this (decompression bombs); 16k x 16k by default.
DEFAULT_MAX_PIXELS = 16384 * 16384
DEFAULT_CRF = 18  # x264's "visually lossless" region: the model's output should not be lost in the encode
REPORT_NAME = "gantools-report.json"
