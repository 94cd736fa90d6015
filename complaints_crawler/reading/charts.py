"""The report's charts (Vega-Altair), each from one series of ReportData; data is inlined in the spec."""

from __future__ import annotations

from typing import Any

from complaints_crawler.reading.report_data import ReportData

WIDTH = 640
MONTH_WIDTH = 28  # pixels a month: a bar of one month stays a bar, three years stay on the page


def charts(data: ReportData) -> dict[str, tuple[str, Any]]:
    """chart id -> (title, Altair chart); a series with no rows has no chart."""
    import altair as alt

    def bars(values: list[dict[str, Any]], x: str, y: str, color: str, scale: Any = alt.Undefined) -> Any:
        return (
            alt.Chart(alt.Data(values=values), width=alt.Step(MONTH_WIDTH))
            .mark_bar()
            .encode(
                x=alt.X(f"{x}:O", title=x),
                y=alt.Y(f"sum({y}):Q", title=y),
                color=alt.Color(f"{color}:N", title=color, scale=scale),
                tooltip=[f"{x}:O", f"{color}:N", f"sum({y}):Q"],
            )
        )

    ANSWER_COLORS = alt.Scale(domain=["accepts", "neither", "rejects"], range=["#4c9a2a", "#9e9e9e", "#d1495b"])
    made: dict[str, tuple[str, Any]] = {}
    if data.by_type:
        made["per-month-by-type"] = ("Complaints per month by type", bars(data.by_type, "month", "complaints", "type"))
    if data.by_status:
        made["statuses-over-time"] = (
            "Statuses over time (by month filed)",
            bars(data.by_status, "month", "complaints", "status"),
        )
    if data.response_days:
        made["days-to-response"] = (
            "Days to the first business response",
            alt.Chart(alt.Data(values=data.response_days), width=WIDTH)
            .mark_bar()
            .encode(
                x=alt.X("days:Q", bin=alt.Bin(maxbins=30, minstep=1), title="days", axis=alt.Axis(format="d")),
                y=alt.Y("count():Q", title="complaints"),
                tooltip=["count():Q"],
            ),
        )
    if data.answers:
        made["answers"] = (
            "Customer answers per month: do they accept or reject the response?",
            bars(data.answers, "month", "answers", "answer", ANSWER_COLORS),
        )
    if data.masks_and_duplicates:
        made["masks-and-duplicates"] = (
            "Privacy masks and near-duplicates per month filed",
            alt.Chart(alt.Data(values=data.masks_and_duplicates), width=alt.Step(MONTH_WIDTH))
            .mark_bar()
            .encode(
                x=alt.X("month:O"),
                y=alt.Y("count:Q", title=None),
                color=alt.Color("measure:N", legend=None),
                tooltip=["month:O", "measure:N", "count:Q"],
            )
            .facet(column=alt.Column("measure:N", title=None))
            .resolve_scale(y="independent"),
        )
    return made


def vl_version() -> str:
    """The Vega-Lite version Altair writes, as vl-convert names it ("v6_4")."""
    import altair as alt

    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"v{major}_{minor}"
