"""Architectures: every size and colour the dcgan recipe allows, conditional or not."""

import pytest
import torch

from gantools.nets.layers import MinibatchStdDev
from gantools.recipes.dcgan import DCGANConfig, DCGANRecipe


@pytest.mark.parametrize("arch", ["mlp", "dcgan"])
@pytest.mark.parametrize("size", [16, 32, 64, 128])
@pytest.mark.parametrize("color, channels", [("gray", 1), ("rgb", 3)])
def test_generator_and_discriminator_shapes(arch, size, color, channels):
    recipe = DCGANRecipe(DCGANConfig(arch=arch, size=size, color=color, conditional=True, base=8, hidden=32, z_dim=8,
                                     spectral_norm=True, minibatch_std=True), classes=["a", "b", "c"])
    G, D = recipe.build_generator(), recipe.build_discriminator()
    labels = torch.tensor([0, 2, 1, 0])
    images = G(torch.randn(4, 8), labels)
    assert images.shape == (4, channels, size, size)
    assert images.abs().max() <= 1.0  # tanh output
    assert D(images, labels).shape == (4,)


def test_label_changes_the_image():
    recipe = DCGANRecipe(DCGANConfig(size=16, base=8, z_dim=8, conditional=True, color="rgb"), classes=["a", "b"])
    G = recipe.build_generator().eval()
    z = torch.randn(1, 8)
    assert not torch.allclose(G(z, torch.tensor([0])), G(z, torch.tensor([1])))


def test_minibatch_stddev_adds_a_channel_that_sees_variety():
    layer = MinibatchStdDev(group_size=4)
    same = layer(torch.ones(4, 2, 3, 3))
    varied = layer(torch.randn(4, 2, 3, 3))
    assert same.shape == (4, 3, 3, 3)
    assert same[:, -1].abs().max() < 1e-3 and varied[:, -1].mean() > 0.1


@pytest.mark.parametrize("shrink, depth", [(1, 3), (2, 2), (4, 2)])
def test_unet_output_matches_input_size(shrink, depth):
    from gantools.nets.unet import UNet

    net = UNet(1, 2, base=8, depth=depth, shrink=shrink).eval()
    side = net.multiple * 2
    out = net(torch.randn(2, 1, side, side + net.multiple))
    assert net.multiple == shrink * 2**depth
    assert out.shape == (2, 2, side, side + net.multiple)


def test_fuse_conv_bn_folds_batch_norm_with_the_same_output():
    from torch import nn

    from gantools.nets.fuse import fuse_conv_bn

    torch.manual_seed(0)
    net = nn.Sequential(nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU()), nn.Conv2d(8, 2, 1))
    bn = net[0][1]
    bn.running_mean.normal_(), bn.running_var.uniform_(0.5, 2.0), bn.weight.data.normal_(), bn.bias.data.normal_()
    net.eval()
    x = torch.randn(2, 3, 9, 7)
    with torch.no_grad():
        before = net(x)
        fuse_conv_bn(net)
        after = net(x)
    assert isinstance(net[0][1], nn.Identity) and net[0][0].bias is not None
    assert torch.allclose(before, after, atol=1e-5)


@pytest.mark.parametrize("name", ["superres", "sketch2photo", "cyclegan"])
def test_networks_counted_on_meta_have_the_real_parameter_counts(name):
    """A model's size check builds its networks on the meta device, where spectral norm is left out (its first power
    iteration there imports torch._dynamo, 2 s of every load): the counts must still be those of the real networks."""
    from gantools.recipe import load_recipe_class

    cls = load_recipe_class(name)
    recipe = cls(cls.Config(), classes=[])
    with torch.device("meta"):
        counted = recipe.build()
    real = recipe.build()
    assert any(hasattr(m, "parametrizations") for net in real.values() for m in net.modules())  # spectral norm in use
    assert not any(hasattr(m, "parametrizations") for net in counted.values() for m in net.modules())
    assert {k: sum(p.numel() for p in v.parameters()) for k, v in counted.items()} == \
           {k: sum(p.numel() for p in v.parameters()) for k, v in real.items()}


def test_commands_start_without_the_heavy_imports():
    """The command line loads no torch until a command runs (`gantools --help` and a usage error answer in a fraction of
    a second), and loading a bundled model of each inference command leaves out what only training or eval needs:
    torchvision (~2 s, it imports torch._dynamo), scipy (0.2-0.7 s: scikit-image's metrics and colour conversions,
    the sparse solver of sketch2photo's colour marks) and torch._dynamo itself."""
    import subprocess
    import sys

    probe = ("import sys; from gantools.cli.main import main; print(sorted(m for m in {0} if m in sys.modules));"
             "from gantools.files.weights import load; [load(m) for m in {1}]; print(sorted(m for m in {0} if m in sys.modules))")
    heavy = ("torch", "torchvision", "scipy", "torch._dynamo", "cv2", "av")
    models = ("superres-x2", "colorize", "sketch2photo", "selfie2anime")
    out = subprocess.run([sys.executable, "-c", probe.format(heavy, models)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    at_start, after_loads = (eval(line) for line in out.stdout.splitlines())
    assert at_start == [] and "torch" in after_loads
    assert not {"torchvision", "scipy", "torch._dynamo"} & set(after_loads), after_loads
