"""A self-contained HTML page (pictures embedded as data URIs): what `--html` reports are written with.

One file to open, mail or attach to an issue; nothing beside it to lose. Every text is escaped.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any, Iterable

from gantools.files.atomic import write_text

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: right; } th { background: #f4f4f4; }
td:first-child, th:first-child { text-align: left; }
.pass { color: #1a7f37; font-weight: bold; } .fail { color: #c62828; font-weight: bold; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; } figcaption { font-size: 0.8em; color: #555; }
img { max-width: 100%; image-rendering: auto; } .note { color: #666; font-size: 0.9em; }
"""


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return html.escape(str(value))


class HtmlPage:
    def __init__(self, title: str):
        self.title = title
        self.parts: list[str] = [f"<h1>{html.escape(title)}</h1>"]

    def heading(self, text: str) -> None:
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def paragraph(self, text: str, note: bool = False) -> None:
        self.parts.append(f"<p{' class=note' if note else ''}>{html.escape(text)}</p>")

    def facts(self, items: dict[str, Any]) -> None:
        """A two-column table of name -> value."""
        self.table([{"": k, "value": v} for k, v in items.items()], ["", "value"])

    def checks(self, checks: dict[str, bool]) -> None:
        rows = "".join(f"<li><span class={'pass' if ok else 'fail'}>{'PASS' if ok else 'FAIL'}</span> {html.escape(name)}</li>"
                       for name, ok in checks.items())
        self.parts.append(f"<ul>{rows}</ul>")

    def table(self, rows: list[dict], columns: Iterable[str] | None = None) -> None:
        columns = list(columns or dict.fromkeys(k for row in rows for k in row))
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{_cell(row.get(c, ''))}</td>" for c in columns) + "</tr>" for row in rows)
        self.parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def image(self, data: bytes, mime: str, caption: str = "", alt: str = "") -> None:
        uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        self.parts.append(f"<figure><img src=\"{uri}\" alt=\"{html.escape(alt or caption)}\">{cap}</figure>")

    def image_file(self, path: Path, caption: str = "", max_side: int = 1400) -> None:
        """A picture file, shrunk to `max_side` and re-encoded as JPEG when large (the page stays small)."""
        from PIL import Image

        with Image.open(path) as im:
            if max(im.size) <= max_side and path.suffix.lower() in (".png", ".jpg", ".jpeg") and path.stat().st_size < 400_000:
                self.image(path.read_bytes(), "image/png" if path.suffix.lower() == ".png" else "image/jpeg", caption)
                return
            im = im.convert("RGB")
            im.thumbnail((max_side, max_side))
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=88)
        self.image(buf.getvalue(), "image/jpeg", caption)

    def figure(self, fig, caption: str = "") -> None:
        """A matplotlib figure, as PNG (closed afterwards)."""
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight")
        plt.close(fig)
        self.image(buf.getvalue(), "image/png", caption)

    def html(self) -> str:
        return (f"<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>{html.escape(self.title)}</title>"
                f"<style>{STYLE}</style></head><body>\n" + "\n".join(self.parts) + "\n</body></html>\n")

    def save(self, path: str | Path) -> None:
        write_text(Path(path), self.html())


def loss_figure(rows: list[dict]):
    """Every loss-like series of a run's metrics.jsonl rows against the step, as a matplotlib figure (None if none)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = sorted({k for r in rows for k in r if k.startswith(("loss_", "d_acc"))})
    if not rows or not keys:
        return None
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    for key in keys:
        pts = [(r["step"], r[key]) for r in rows if isinstance(r.get(key), (int, float))]
        if pts:
            ax.plot(*zip(*pts), label=key)
    ax.set_xlabel("step")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return fig
