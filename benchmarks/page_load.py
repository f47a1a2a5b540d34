"""Page load on a cheap phone's line, against a plain Material page built in the same run.

Chromium (Debian's, through Playwright) with the network throttled through CDP to
400 kbps down / 400 kbps up with 400 ms round trips, the CPU slowed 4x, and no
cache. Per page kind it prints the median of a few cold loads:

* bytes on the wire (encoded, so gzip counts) and requests, until the network is idle;
* time until the page's main text is painted (the status summary on home, the office's
  status, the heading elsewhere): the first animation frame after it is laid out;
* time until the first form field accepts input: a key typed as soon as the field is
  visible, timed by the page's own `input` event (form and status check only).

Each figure is also a ratio to the baseline: a plain mkdocs-material site (no palette,
no extra CSS or JS, one page with a heading, a paragraph and a text field) built into a
temporary folder in the same run. Both sites are served by the run command's server
(`portal.devserver`: gzip, keep-alive), so they differ only in what they send.

    python benchmarks/page_load.py            # 5 cold loads per page, after one warm-up load
    python benchmarks/page_load.py --runs 9
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "site"))
sys.path.insert(0, str(ROOT / "functions"))

DOWN_KBPS = 400
UP_KBPS = 400
RTT_MS = 400
CPU_SLOWDOWN = 4

# kind -> (path, selector of the main text, selector of the first field or None)
PAGES: dict[str, tuple[str, str, str | None]] = {
    "home": ("", ".portal-summary", None),
    "guide": ("layanan/ktp-el-baru/", ".md-content h1", None),
    "office": ("kantor/bawen/", ".portal-status", None),
    "form": ("formulir/ktp-el-baru/", ".md-content h1", "#portal-form input:not([type=hidden])"),
    "status check": ("formulir/status/", ".md-content h1", "#f-tracking_code"),
}
BASELINE = ("", ".md-content h1", "#baseline-field")

# Runs in every page before its own scripts: when the watched text is first laid out,
# and when the first `input` event arrives.
PROBE = """
(() => {
  window.__probe = {text: null, input: null};
  const selector = %s;
  function frame() {
    const node = document.querySelector(selector);
    if (node && node.getBoundingClientRect().height > 0) {
      requestAnimationFrame(() => { window.__probe.text = performance.now(); });
      return;
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  document.addEventListener("input", () => {
    if (window.__probe.input === null) window.__probe.input = performance.now();
  }, true);
})();
"""


def build_portal(out: Path) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
                   check=True, env=env, cwd=ROOT)


def build_baseline(folder: Path) -> Path:
    """A plain Material site: default theme settings, default search, one page."""
    (folder / "docs").mkdir(parents=True)
    (folder / "mkdocs.yml").write_text(textwrap.dedent("""\
        site_name: Baseline
        theme:
          name: material
          font: false
        plugins:
          - search
    """), encoding="utf-8")
    (folder / "docs" / "index.md").write_text(textwrap.dedent("""\
        # Plain page

        A plain Material page with a paragraph of text, the baseline of this benchmark.

        <form><label for="baseline-field">Field</label> <input id="baseline-field" type="text"></form>
    """), encoding="utf-8")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(folder / "mkdocs.yml"),
                    "-d", str(folder / "site")], check=True, env=env, cwd=folder)
    return folder / "site"


def start_server(site: Path, storage: Path):
    from portal.devserver import create_server

    server = create_server(site, port=0, storage_dir=storage, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return server


def load(browser, url: str, text_selector: str, field_selector: str | None) -> dict[str, float]:
    """One cold load under throttling: bytes, requests, ms to text painted, ms to input."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": RTT_MS,
        "downloadThroughput": DOWN_KBPS * 1000 / 8, "uploadThroughput": UP_KBPS * 1000 / 8,
    })
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    sizes: dict[str, float] = {}
    cdp.on("Network.requestWillBeSent", lambda e: sizes.setdefault(e["requestId"], 0.0))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.add_init_script(PROBE % repr(text_selector).replace("'", '"'))
    page.goto(url, wait_until="commit", timeout=120_000)
    input_ms = float("nan")
    if field_selector:
        field = page.locator(field_selector).first
        field.wait_for(state="visible", timeout=120_000)
        field.press("1")
        page.wait_for_function("() => window.__probe.input !== null", timeout=120_000)
        input_ms = page.evaluate("() => window.__probe.input")
    page.wait_for_function("() => window.__probe.text !== null", timeout=120_000)
    text_ms = page.evaluate("() => window.__probe.text")
    page.wait_for_load_state("networkidle", timeout=120_000)
    page.wait_for_timeout(1500)  # what loads after the first paint (form code) counts too
    page.wait_for_load_state("networkidle", timeout=120_000)
    context.close()
    return {"bytes": sum(sizes.values()), "requests": len(sizes), "text": text_ms, "input": input_ms}


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold loads per page (median)")
    parser.add_argument("--site", type=Path, help="measure this built site instead of building the portal "
                        "(e.g. an older version, for a before/after)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("Debian's chromium is needed (bin/test installs it).", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        site = args.site
        if site is None:
            site = scratch / "portal"
            build_portal(site)
        baseline_site = build_baseline(scratch / "baseline")
        portal = start_server(site, scratch / "storage")
        baseline = start_server(baseline_site, scratch / "storage-baseline")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium,
                                                     args=["--no-sandbox", "--disable-gpu", "--disable-quic"])
                load(browser, baseline.url, *BASELINE[1:])  # warm-up, not counted
                runs: dict[str, list[dict[str, float]]] = {"baseline": [], **{kind: [] for kind in PAGES}}
                for _ in range(args.runs):  # interleaved: a busy moment hits every page alike
                    runs["baseline"].append(load(browser, baseline.url + BASELINE[0], *BASELINE[1:]))
                    for kind, (path, text, field) in PAGES.items():
                        runs[kind].append(load(browser, portal.url + path, text, field))
                results = {kind: median_of(loads) for kind, loads in runs.items()}
                browser.close()
        finally:
            portal.close()
            baseline.close()
    report(results, args.runs)
    return 0


def report(results: dict[str, dict[str, float]], runs: int) -> None:
    base = results["baseline"]
    print(f"Throttled: {DOWN_KBPS} kbps down, {RTT_MS} ms RTT, CPU {CPU_SLOWDOWN}x slower, cold cache; "
          f"median of {runs} loads. Ratios are to the plain Material page of this run.")
    x = "×"
    print(f"{'page':<14} {'KB':>6} {x:>5}  {'requests':>8} {x:>5}  {'text ms':>8} {x:>5}  {'input ms':>8} {x:>5}")
    for kind, row in results.items():
        def ratio(key: str, row=row) -> str:
            value = row[key]
            return "—" if value != value or base[key] != base[key] else f"{value / base[key]:.2f}"

        input_ms = "—" if row["input"] != row["input"] else f"{row['input']:.0f}"
        print(f"{kind:<14} {row['bytes'] / 1024:>6.1f} {ratio('bytes'):>5}  {row['requests']:>8.0f} "
              f"{ratio('requests'):>5}  {row['text']:>8.0f} {ratio('text'):>5}  {input_ms:>8} {ratio('input'):>5}")


if __name__ == "__main__":
    raise SystemExit(main())
