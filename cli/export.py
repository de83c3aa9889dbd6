"""`gantools export RUN [--out DIR]`: a run's latest checkpoint as a usable model, while it trains; `gantools export
MODEL --onnx FILE`: any model with a predictor as ONNX."""

from __future__ import annotations

import click


@click.command("export", short_help="Export a run's latest checkpoint as a model (works mid-run), or a model as ONNX.")
@click.argument("run", type=click.Path())
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Where to write the model (default: RUN/snapshot).")
@click.option("--recipe", "recipe_file", type=click.Path(dir_okay=False), default=None,
              help="The recipe .py file a model of your own recipe was trained with (models never import code by themselves).")
@click.option("--onnx", "onnx_path", type=click.Path(dir_okay=False), default=None,
              help="Write RUN (any model: bundled name, run folder, model file) as ONNX to this file instead.")
@click.option("--opset", default=17, show_default=True, help="ONNX opset (with --onnx).")
def export_cmd(run, out, recipe_file, onnx_path, opset):
    """Write RUN's latest checkpoint (its EMA generator when kept) as model.safetensors + model.json; with --onnx,
    write the model RUN names as ONNX (dynamic batch, height and width; checked against PyTorch in onnxruntime)."""
    from pathlib import Path

    from gantools.train.runs import export_checkpoint

    if onnx_path:
        from gantools.files import weights
        from gantools.files.onnx_export import export_onnx

        result = export_onnx(weights.load(run, recipe_file=recipe_file), Path(onnx_path), opset)
        diff = result["max_abs_difference"]
        check = "not checked (pip install onnxruntime)" if diff is None else f"max |onnxruntime - PyTorch| {diff:.2e}"
        click.echo(f"wrote {onnx_path} ({result['bytes'] / 1e6:.1f} MB, opset {opset}, inputs {', '.join(result['inputs'])}); {check}")
        return

    path = export_checkpoint(run, out, recipe_file)
    click.echo(f"model written to {path}; use it with --model {path}")
