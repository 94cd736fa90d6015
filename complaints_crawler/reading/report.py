"""`complaints report`: one self-contained HTML page on a business (key figures and charts), that opens without
a network: the Vega libraries are inlined and each chart's data is in its spec. --png also writes each chart
as an image."""

from __future__ import annotations

import html
import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from complaints_crawler.reading.archive import ReadingError
from complaints_crawler.reading.charts import charts, vl_version
from complaints_crawler.reading.report_data import Figure, ReportData, report_data

# What the page's script needs from the bundle: vegaEmbed, as a global.
BUNDLE_SNIPPET = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1b1b1b; }
table.figures { border-collapse: collapse; margin: 1rem 0 2rem; }
table.figures th { text-align: left; font-weight: normal; padding: .25rem 1.5rem .25rem 0; color: #444; }
table.figures td { text-align: right; padding: .25rem 0; font-variant-numeric: tabular-nums; }
section.chart { margin: 2rem 0; } .note { color: #666; font-size: .9rem; }
"""


def write_report(
    engine: Engine, business: str, out: Path, source: str | None = None, png_dir: Path | None = None
) -> ReportData:
    try:
        import vl_convert
    except ImportError:
        raise ReadingError("reports need Vega-Altair: pip install 'complaints-crawler[reading]'") from None
    data = report_data(engine, business, source)
    made = charts(data)
    specs = {chart_id: chart.to_dict() for chart_id, (_, chart) in made.items()}
    page = render(
        data,
        {chart_id: (title, specs[chart_id]) for chart_id, (title, _) in made.items()},
        vl_convert.javascript_bundle(BUNDLE_SNIPPET, vl_version=vl_version()),
    )
    out.write_text(page, encoding="utf-8")
    if png_dir is not None:
        png_dir.mkdir(parents=True, exist_ok=True)
        for chart_id, spec in specs.items():
            image = vl_convert.vegalite_to_png(spec, vl_version=vl_version(), scale=2)
            (png_dir / f"{chart_id}.png").write_bytes(image)
    return data


def render(data: ReportData, specs: dict[str, tuple[str, dict[str, Any]]], library: str) -> str:
    e = html.escape
    rows = "\n".join(_figure_row(f) for f in data.figures)
    sections = "\n".join(
        f'<section class="chart"><h2>{e(title)}</h2><div class="vega-chart" id="chart-{e(chart_id)}"></div>'
        f'<script type="application/json" id="spec-{e(chart_id)}">{_script_json(spec)}</script></section>'
        for chart_id, (title, spec) in specs.items()
    )
    link = f' <a href="{e(data.url)}">{e(data.url)}</a>' if data.url else ""
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")  # noqa: UP017 (reads as meant)
    script = library.replace("</script", "<\\/script")  # the bundle must not end its own tag
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{e(data.name)} ({e(data.source)}): complaints report</title>
<style>{STYLE}</style>
<script>{script}</script>
</head>
<body>
<h1>{e(data.name)}</h1>
<p>{e(data.source)}, archive id {data.business_id}.{link}</p>
<p class="note">From the complaints archive, {generated}. Shares count every complaint (a complaint without a
status is not resolved) and every customer answer; days run from the filing date to the first business response.</p>
<h2>Key figures</h2>
<table class="figures">
{rows}
</table>
{sections or "<p>No complaint of this business has a date: there is nothing to chart.</p>"}
<script>
for (const holder of document.querySelectorAll("div.vega-chart")) {{
  const spec = JSON.parse(document.getElementById(holder.id.replace("chart-", "spec-")).textContent);
  vegaEmbed(holder, spec, {{renderer: "svg", actions: false}}).catch(console.error);
}}
</script>
</body>
</html>
"""


def _figure_row(figure: Figure) -> str:
    raw = (
        ""
        if figure.value is None
        else (figure.value.isoformat() if isinstance(figure.value, date) else str(figure.value))
    )
    return (
        f'<tr data-figure="{figure.key}" data-value="{html.escape(raw)}"><th>{html.escape(figure.label)}</th>'
        f"<td>{html.escape(_shown(figure))}</td></tr>"
    )


def _shown(figure: Figure) -> str:
    value = figure.value
    if value is None:
        return "–"
    if figure.key.endswith("_share"):
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:g}"
    return value.isoformat() if isinstance(value, date) else f"{value:,}"


def _script_json(spec: dict[str, Any]) -> str:
    # Inside <script>: no "</" may close it early.
    return json.dumps(spec, ensure_ascii=False).replace("<", "\\u003c")
