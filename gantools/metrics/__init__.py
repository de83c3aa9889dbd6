"""Image-quality figures: PSNR/SSIM/colourfulness, and the InceptionV3 behind FID/KID."""
