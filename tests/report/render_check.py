"""Opens a report in real headless Chromium and reports what the page drew.

Contract:
- `find_chromium()` returns the browser path or raises RenderCheckError naming the package to install.
- `render(html, png)` runs Chromium headless once with virtual time (scripts and uPlot's drawing complete
  before the DOM is dumped and the picture taken); a non-zero exit raises RenderCheckError.
- `parse_marks(dom)` returns the <body> attributes and, per chart container, its data-* attributes.
- `read_png(path)` decodes an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) to (width, height, RGB rows)
  with the standard library only.
- `report_problems(html, expected_events, png)` renders once (DOM dump + screenshot in one Chromium run) and returns
  every problem found (empty = all charts drawn and visible); `chart_problems` / `screenshot_problems` are its parts.
No network: Chromium is started with background networking, sync and component updates off; the page is a file.
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM_TIMEOUT_S = 60
VIRTUAL_TIME_BUDGET_MS = 5000


class RenderCheckError(Exception):
    pass


def find_chromium() -> str:
    for name in (os.environ.get("SEA_CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)  # type: ignore[return-value]
    raise RenderCheckError("no headless browser found: install Debian's chromium (`apt-get install -y chromium`) "
                           "or point SEA_CHROMIUM at one")


def _run_chromium(args: list[str]) -> str:
    with tempfile.TemporaryDirectory(prefix="sea-report-chromium-") as profile:
        cmd = [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}", *args]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as err:
            raise RenderCheckError(f"chromium did not finish within {CHROMIUM_TIMEOUT_S} s: {' '.join(cmd)}") from err
    if done.returncode != 0:
        raise RenderCheckError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def render(html: Path, png: Path, width: int = 1300, height: int = 1800, scale: float = 0.5) -> str:
    """One Chromium run: returns the DOM after scripts ran and writes a screenshot of the top of the page."""
    dom = _run_chromium([f"--window-size={width},{height}", f"--force-device-scale-factor={scale}",
                         f"--screenshot={png}", "--dump-dom", html.resolve().as_uri()])
    if not png.is_file() or png.stat().st_size == 0:
        raise RenderCheckError(f"chromium wrote no screenshot at {png}")
    return dom


class _MarkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.body: dict[str, str] = {}
        self.charts: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "body":
            self.body = values
        elif tag == "div" and "chart" in values.get("class", "").split():
            self.charts.append(values)


def parse_marks(dom: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    parser = _MarkParser()
    parser.feed(dom)
    return parser.body, parser.charts


def _unfilter_row(kind: int, line: bytes, previous: bytes, bpp: int) -> bytes:
    """Reverses one PNG scanline filter (None, Sub, Up, Average, Paeth)."""
    if kind == 0:
        return line
    if kind == 2:
        return bytes(map(lambda a, b: (a + b) & 0xFF, line, previous))
    out = bytearray(line)
    n = len(out)
    if kind == 1:
        for i in range(bpp, n):
            out[i] = (out[i] + out[i - bpp]) & 0xFF
    elif kind == 3:
        for i in range(n):
            left = out[i - bpp] if i >= bpp else 0
            out[i] = (out[i] + ((left + previous[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(n):
            if i >= bpp:
                a, b, c = out[i - bpp], previous[i], previous[i - bpp]
            else:
                a, b, c = 0, previous[i], 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            out[i] = (out[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    else:
        raise RenderCheckError(f"PNG row filter {kind} is not defined")
    return bytes(out)


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, RGB rows as bytes of 3 * width)."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise RenderCheckError(f"{path} is not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if header is None:
        raise RenderCheckError(f"{path}: no IHDR chunk")
    width, height, depth, color_type, _, _, interlace = header
    if depth != 8 or color_type not in (2, 6) or interlace:
        raise RenderCheckError(f"{path}: unsupported PNG (depth {depth}, colour type {color_type}, interlace {interlace})")
    bpp = 3 if color_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, previous = [], bytes(stride)
    for y in range(height):
        offset = y * (stride + 1)
        line = _unfilter_row(raw[offset], raw[offset + 1:offset + 1 + stride], previous, bpp)
        previous = line
        rgb = line if bpp == 3 else b"".join(line[i:i + 3] for i in range(0, stride, 4))
        rows.append(rgb)
    return width, height, rows


# Colours report.js paints with (tools/report/assets/report.js FAULT_SHADE and OK_COLORS[0]).
FAULT_SHADE_RGB = (0xFD, 0xE0, 0xDC)
FIRST_PROBE_OK_RGB = (0x1F, 0x77, 0xB4)
SCREENSHOT_SCALE = 0.5  # half-resolution picture: enough for colour counts, 4x less to decode
MIN_SHADE_PIXELS = 1000
MIN_POINT_PIXELS = 30
MIN_DISTINCT_COLOURS = 50


def chart_problems(dom: str, expected_events: list[int]) -> list[str]:
    """Problems with the dumped DOM; `expected_events[i]` = events of scenario i (its latency chart's points)."""
    body, charts = parse_marks(dom)
    problems = []
    status = body.get("data-report-status", "<missing>")
    wanted_status = f"rendered {2 * len(expected_events)} charts"
    if status != wanted_status:
        problems.append(f"<body data-report-status> is '{status}', expected '{wanted_status}'")
    if len(charts) != 2 * len(expected_events):
        problems.append(f"{len(charts)} chart containers, expected {2 * len(expected_events)}")
    for chart in charts:
        label = f"chart {chart.get('data-chart')} of scenario {chart.get('data-scenario')}"
        rendered = chart.get("data-rendered")
        if rendered is None:
            problems.append(f"{label}: not rendered (no data-rendered)")
            continue
        if chart.get("data-chart") == "latency":
            events = expected_events[int(chart.get("data-scenario", "-1"))]
            if rendered != f"{events} points":
                problems.append(f"{label}: data-rendered='{rendered}', expected '{events} points'")
        if int(chart.get("data-painted", "0")) <= 0:
            problems.append(f"{label}: no series pixel on the canvas (data-painted={chart.get('data-painted')})")
    return problems


def screenshot_problems(png: Path) -> list[str]:
    """Problems with a screenshot of the report's top (the first scenario's charts must be in it)."""
    _, _, rows = read_png(png)
    counts: Counter[tuple[int, int, int]] = Counter()
    for row in rows:
        counts.update(zip(row[0::3], row[1::3], row[2::3]))
    problems = []
    if counts.get(FAULT_SHADE_RGB, 0) < MIN_SHADE_PIXELS:
        problems.append(f"screenshot: {counts.get(FAULT_SHADE_RGB, 0)} fault-window pixels, expected ≥ {MIN_SHADE_PIXELS}")
    if counts.get(FIRST_PROBE_OK_RGB, 0) < MIN_POINT_PIXELS:
        problems.append(f"screenshot: {counts.get(FIRST_PROBE_OK_RGB, 0)} probe-point pixels, expected ≥ {MIN_POINT_PIXELS}")
    if len(counts) < MIN_DISTINCT_COLOURS:
        problems.append(f"screenshot: {len(counts)} distinct colours, looks blank (expected ≥ {MIN_DISTINCT_COLOURS})")
    return problems


def report_problems(html: Path, expected_events: list[int], png: Path) -> list[str]:
    """Everything wrong with how Chromium renders `html` (empty list = charts drawn and visible)."""
    dom = render(html, png, scale=SCREENSHOT_SCALE)
    return chart_problems(dom, expected_events) + screenshot_problems(png)
