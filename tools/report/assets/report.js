// Draws the report's timeline charts with uPlot (inlined before this script) in the style of Jepsen's
// latency and rate plots.
//
// Input: the JSON array in <script id="sea-report-data">, one entry per scenario (see page.py _plot_data).
// Output, per <div class="chart" data-chart="latency|rate" data-scenario="i">:
//   - latency: one point per probe event (x = seconds since scenario start, y = latency, log scale), one series
//     per probe and outcome (ok / fail);
//   - rate: probe outcomes per second in fixed buckets, one line per probe and outcome;
//   - both: the fault window (inject start -> heal, or -> the right edge when never healed) shaded, and
//     vertical lines at inject end, heal and recovered.
// Marking contract (what tests/report checks): after uPlot has drawn a chart, its container gets
//   data-rendered="N points"  N = finite data points handed to uPlot inside the x range (latency: = events)
//   data-painted="M"          M = canvas pixels inside the plot area painted in a series colour (±24 per channel)
// and <body> gets data-report-status="rendered K charts" once every chart is drawn. Any exception sets
// data-report-status="error: <message>" and shows the message in #report-error.
(function () {
  "use strict";

  const OK_COLORS = ["#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#8c564b", "#bcbd22", "#7f7f7f", "#e377c2"];
  const FAIL_COLORS = ["#d62728", "#ff7f0e", "#a50f15", "#e6550d", "#fb6a4a", "#cb181d", "#f16913", "#99000d"];
  const FAULT_SHADE = "#fde0dc";
  const MARKERS = [
    { key: "inject_end_ms", label: "inject end", color: "#e08214", dash: [3, 3] },
    { key: "healed_ms", label: "heal", color: "#1a9850", dash: [] },
    { key: "recovered_ms", label: "recovered", color: "#2166ac", dash: [6, 3] },
  ];
  const COLOR_TOLERANCE = 24; // per channel, for paintedPixels
  const MIN_LATENCY_MS = 0.001; // log scale: a recorded 0 µs is drawn at 1 µs

  function fail(message) {
    document.body.dataset.reportStatus = "error: " + message;
    const box = document.getElementById("report-error");
    box.textContent = "Report script error: " + message;
    box.hidden = false;
  }
  window.addEventListener("error", (e) => fail(e.message || String(e)));

  function colorOf(probeIndex, ok) {
    const palette = ok ? OK_COLORS : FAIL_COLORS;
    return palette[probeIndex % palette.length];
  }

  // Seconds shown: every event and the fault window; "recovered" only when it is near (a late recovery would
  // squash the events into a sliver; it is then named at the right edge instead).
  function xRange(sc) {
    const times = sc.t_ms.slice();
    for (const k of ["inject_start_ms", "inject_end_ms", "healed_ms"]) {
      if (sc.fault[k] != null) times.push(sc.fault[k]);
    }
    if (times.length === 0) return [0, 1];
    let lo = Math.min(...times), hi = Math.max(...times);
    const recovered = sc.fault.recovered_ms;
    if (recovered != null && recovered <= hi + 0.25 * Math.max(hi - lo, 1000)) hi = Math.max(hi, recovered);
    lo /= 1000;
    hi /= 1000;
    const pad = Math.max(0.5, (hi - lo) * 0.03);
    return [Math.max(0, lo - pad), hi + pad];
  }

  // Shades the fault window under the grid and series (drawClear runs before both).
  function shadeFault(u, sc) {
    const start = sc.fault.inject_start_ms;
    if (start == null) return;
    const end = sc.fault.healed_ms;
    const { left, top, width, height } = u.bbox;
    const x0 = Math.max(left, u.valToPos(start / 1000, "x", true));
    const x1 = end == null ? left + width : Math.min(left + width, u.valToPos(end / 1000, "x", true));
    if (x1 <= x0) return;
    u.ctx.save();
    u.ctx.fillStyle = FAULT_SHADE;
    u.ctx.fillRect(x0, top, x1 - x0, height);
    u.ctx.restore();
  }

  function drawMarkers(u, sc) {
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    ctx.font = Math.round(11 * devicePixelRatio) + "px sans-serif";
    MARKERS.forEach((m, i) => {
      const at = sc.fault[m.key];
      if (at == null) return;
      const x = Math.round(u.valToPos(at / 1000, "x", true));
      if (x > left + width) {  // beyond the shown range: name it at the right edge
        const text = m.label + " at " + (at / 1000).toFixed(1) + " s \u2192";
        ctx.fillStyle = m.color;
        ctx.fillText(text, left + width - ctx.measureText(text).width - 4, top + height - (6 + 14 * i) * devicePixelRatio);
        return;
      }
      if (x < left) return;
      ctx.strokeStyle = m.color;
      ctx.fillStyle = m.color;
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.setLineDash(m.dash.map((d) => d * devicePixelRatio));
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.fillText(m.label, x + 3 * devicePixelRatio, top + (12 + 12 * i) * devicePixelRatio);
    });
    if (sc.fault.inject_start_ms != null && sc.fault.healed_ms == null) {
      ctx.fillStyle = "#a50f15";
      ctx.fillText("fault never healed", left + width - 110 * devicePixelRatio, top + 12 * devicePixelRatio);
    }
    ctx.restore();
  }

  // Log-axis tick label; uPlot passes null for ticks its log filter hides.
  function formatLatencyTick(v) {
    if (v == null) return null;
    return v >= 1 ? v.toFixed(0) : String(+v.toPrecision(2));
  }

  function hexToRgb(hex) {
    const n = parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  // Counts plot-area pixels painted in (nearly: anti-aliasing) one of the series colours: proof the series
  // reached the canvas. Shade, grid and white stay far from every series colour.
  function paintedPixels(u, colors) {
    const { left, top, width, height } = u.bbox;
    if (width < 1 || height < 1) return 0;
    const wanted = colors.map(hexToRgb);
    const px = u.ctx.getImageData(Math.round(left), Math.round(top), Math.round(width), Math.round(height)).data;
    let count = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] < 200) continue;
      for (const [r, g, b] of wanted) {
        if (Math.abs(px[i] - r) <= COLOR_TOLERANCE && Math.abs(px[i + 1] - g) <= COLOR_TOLERANCE &&
            Math.abs(px[i + 2] - b) <= COLOR_TOLERANCE) { count++; break; }
      }
    }
    return count;
  }

  // The full range initially and on reset (double-click asks for the data's extent); a drag-zoom's range otherwise.
  function zoomableRange(u, min, max, full) {
    const xs = u.data && u.data[0];
    if (u.status === 0 || !xs || !xs.length || (min <= xs[0] && max >= xs[xs.length - 1])) return full;
    return [min, max];
  }

  function pointsInRange(data, range) {
    let n = 0;
    for (let s = 1; s < data.length; s++) {
      for (let i = 0; i < data[s].length; i++) {
        const x = data[0][i];
        if (data[s][i] != null && Number.isFinite(data[s][i]) && x >= range[0] && x <= range[1]) n++;
      }
    }
    return n;
  }

  function latencyData(sc) {
    const xs = sc.t_ms.map((t) => t / 1000);
    const series = [], data = [xs];
    sc.probes.forEach((probe, p) => {
      for (const ok of [1, 0]) {
        const ys = sc.t_ms.map((_, i) =>
          sc.probe[i] === p && sc.ok[i] === ok ? Math.max(sc.latency_us[i] / 1000, MIN_LATENCY_MS) : null);
        if (ys.every((y) => y == null)) continue;
        const color = colorOf(p, ok === 1);
        series.push({
          label: probe + (ok ? " ok" : " fail"), stroke: color, fill: color, paths: () => null,
          points: { show: true, size: ok ? 5 : 7, width: 0, stroke: color, fill: color },
        });
        data.push(ys);
      }
    });
    return { series, data };
  }

  function bucketMs(spanMs) {
    const steps = [100, 200, 250, 500, 1000, 2000, 5000, 10000, 30000, 60000];
    return steps.find((s) => spanMs / s <= 60) || steps[steps.length - 1];
  }

  function rateData(sc, range) {
    const width = bucketMs((range[1] - range[0]) * 1000);
    const first = Math.floor((range[0] * 1000) / width), last = Math.floor((range[1] * 1000) / width);
    const xs = [];
    for (let b = first; b <= last; b++) xs.push((b * width) / 1000);
    const series = [], data = [xs];
    sc.probes.forEach((probe, p) => {
      for (const ok of [1, 0]) {
        const counts = new Array(xs.length).fill(0);
        let any = false;
        sc.t_ms.forEach((t, i) => {
          if (sc.probe[i] !== p || sc.ok[i] !== ok) return;
          counts[Math.floor(t / width) - first] += 1;
          any = true;
        });
        if (!any) continue;
        const color = colorOf(p, ok === 1);
        series.push({
          label: probe + (ok ? " ok/s" : " fail/s"), stroke: color, width: 2, dash: ok ? [] : [5, 3],
          paths: uPlot.paths.stepped({ align: 1 }), points: { show: false },
        });
        data.push(counts.map((c) => (c * 1000) / width));
      }
    });
    return { series, data, width };
  }

  function makeChart(container, sc, kind, onDrawn) {
    const range = xRange(sc);
    const built = kind === "latency" ? latencyData(sc) : rateData(sc, range);
    const colors = built.series.map((s) => s.stroke);
    const expected = pointsInRange(built.data, range);
    const title = kind === "latency"
      ? sc.id + ": probe latency per event (log scale)"
      : sc.id + ": probe outcomes per second (" + built.width + " ms buckets)";
    if (built.series.length === 0) {
      container.textContent = title + ": no probe events recorded";
      container.dataset.rendered = "0 points";
      container.dataset.painted = "0";
      onDrawn();
      return;
    }
    let reported = false;
    const opts = {
      title, width: Math.max(600, container.clientWidth || 1000), height: 300,
      legend: { live: false },
      scales: {
        x: { time: false, range: (u, min, max) => zoomableRange(u, min, max, range) },
        y: kind === "latency" ? { distr: 3, log: 10 } : { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        { label: "seconds since scenario start" },
        kind === "latency"
          ? { label: "latency (ms)", size: 70, values: (u, splits) => splits.map(formatLatencyTick) }
          : { label: "events / s", size: 60 },
      ],
      series: [{ label: "t (s)" }, ...built.series],
      hooks: {
        drawClear: [(u) => shadeFault(u, sc)],
        draw: [(u) => {
          drawMarkers(u, sc);
          container.dataset.rendered = expected + " points";
          container.dataset.painted = String(paintedPixels(u, colors));
          if (!reported) { reported = true; onDrawn(); }
        }],
      },
    };
    new uPlot(opts, built.data, container);
  }

  function main() {
    const scenarios = JSON.parse(document.getElementById("sea-report-data").textContent);
    const charts = Array.from(document.querySelectorAll("div.chart[data-chart]"));
    let drawn = 0;
    const onDrawn = () => {
      drawn++;
      if (drawn === charts.length) document.body.dataset.reportStatus = "rendered " + drawn + " charts";
    };
    if (charts.length === 0) document.body.dataset.reportStatus = "rendered 0 charts";
    for (const container of charts) {
      const sc = scenarios[Number(container.dataset.scenario)];
      if (!sc) throw new Error("chart refers to unknown scenario " + container.dataset.scenario);
      makeChart(container, sc, container.dataset.chart, onDrawn);
    }
  }

  try {
    if (typeof uPlot !== "function") throw new Error("the uPlot library did not load");
    main();
  } catch (e) {
    fail(e && e.message ? e.message : String(e));
  }
})();
