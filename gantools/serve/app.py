"""The `gantools serve` web app (FastAPI): one static page and a small JSON API over the shared folder runner.

Every upload runs through `gantools.infer.runner.run` with the model's predictor, exactly as the command line
does (so the same file gives the same bytes); the server only adds limits, a queue and temporary storage.

    GET  /                    the page
    GET  /api/models          the models served, with their cards' notes and the server's limits
    POST /api/run/{model}     one file (multipart field `file`) -> {id, url, name, notes} or a 4xx {error}
    GET  /api/result/{id}     the output (?inline=1 to show it in the page)
    GET  /api/zip?ids=a,b     several outputs as one zip
"""

from __future__ import annotations

import contextlib
import mimetypes
import threading
import time
import zipfile
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.background import BackgroundTask

from gantools.files.imageio import DEFAULT_MAX_PIXELS
from gantools.infer import runner
from gantools.serve.models import Served
from gantools.serve.store import Result, Store, safe_name

CHUNK = 1 << 20


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(models: dict[str, Served], max_upload_mb: float = 100, max_pixels: int = DEFAULT_MAX_PIXELS,
               concurrency: int = 1) -> FastAPI:
    store = Store()

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        yield
        store.close()  # uploads and results go with the server

    app = FastAPI(title="gantools", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    gate = threading.Semaphore(concurrency)  # inferences at once; the rest wait their turn
    limit = int(max_upload_mb * 2**20)
    page = resources.files("gantools.serve").joinpath("page.html").read_text(encoding="utf-8")
    app.state.store = store

    @app.middleware("http")
    async def _upload_size(request: Request, call_next):
        # Refused before the body is read: a client cannot fill the disk with one request.
        if request.method == "POST":
            length = request.headers.get("content-length")
            if length is None:
                return error(411, "uploads must say their size (Content-Length)")
            if not length.isdigit() or int(length) > limit + 64 * 1024:
                return error(413, f"upload larger than this server's limit of {max_upload_mb:g} MB")
        return await call_next(request)

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return page

    @app.get("/api/models")
    def list_models() -> dict:
        return {"models": [m.describe() for m in models.values()], "max_upload_mb": max_upload_mb, "max_pixels": max_pixels}

    @app.post("/api/run/{model}")
    def run(model: str, file: UploadFile = File(...)):
        served = models.get(model)
        if served is None:
            return error(404, f"model '{safe_name(model, 'model')}' is not served here (served: {', '.join(models)})")
        try:
            job, upload = store.new_job(file.filename or "")
        except ValueError as exc:
            return error(415, str(exc))
        try:
            size = _save(file, upload, limit)
            if size == 0:
                raise _Refused(400, f"'{safe_name(file.filename or '')}' is empty (0 bytes)")
            out = store.folder(job) / "out"
            start = time.perf_counter()
            with gate:
                report = runner.run(served.predictor, upload, out, runner.RunOptions(progress=False, max_pixels=max_pixels, workers=1, batch_size=1))
            if report.failed:
                raise _Refused(422, f"'{safe_name(file.filename or '')}': {report.failed[0]['reason']}")
            made = next(p for p in out.iterdir() if p.is_file() and not p.name.startswith("."))
            name = Path(safe_name(file.filename or "", "image")).stem + "-" + served.name + made.suffix
            store.add(job, Result(made, name, mimetypes.guess_type(made.name)[0] or "application/octet-stream"))
            notes = [n for item in report.notes for n in item["notes"]]
            return {"id": job, "url": f"/api/result/{job}", "name": name, "notes": notes,
                    "seconds": round(time.perf_counter() - start, 2), "video": made.suffix.lower() in (".mp4", ".mov", ".mkv", ".webm", ".avi")}
        except _Refused as refused:
            store.drop(job)
            return error(refused.status, refused.message)

    @app.get("/api/result/{job}")
    def result(job: str, inline: int = 0):
        found = store.get(job)
        if found is None or not found.path.exists():
            return error(404, "no such result (results are kept while the server runs, the latest 500)")
        return FileResponse(found.path, media_type=found.media_type, filename=found.download_name,
                            content_disposition_type="inline" if inline else "attachment")

    @app.get("/api/zip")
    def zip_results(ids: str):
        found = [(job, r) for job in ids.split(",")[:1000] if (r := store.get(job)) is not None and r.path.exists()]
        if not found:
            return error(404, "none of those results exists")
        target = store.root / f"results-{time.time_ns()}.zip"
        names: set[str] = set()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:  # images are compressed already
            for job, r in found:
                name = r.download_name
                while name in names:
                    name = f"{Path(name).stem}-{job[:6]}{Path(name).suffix}"
                names.add(name)
                archive.write(r.path, name)
        return FileResponse(target, media_type="application/zip", filename="gantools-results.zip",
                            background=BackgroundTask(target.unlink, missing_ok=True))

    return app


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _save(upload: UploadFile, path: Path, limit: int) -> int:
    """Copy the upload to `path`, refusing it past `limit` bytes; returns its size."""
    size = 0
    with open(path, "wb") as f:
        while chunk := upload.file.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise _Refused(413, f"upload larger than this server's limit of {limit / 2**20:g} MB")
            f.write(chunk)
    return size

