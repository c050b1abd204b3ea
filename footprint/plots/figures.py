"""Rendering: a plotly figure from each table, in the Okabe-Ito palette.  plotly is imported inside the functions."""

from __future__ import annotations

import math

from ..formatting import duration_text
from .data import ALTERNATIVE_COLOUR, ALTERNATIVE_LABEL, CATEGORIES, GREY, KINDS, LIGHT_GREY, METRICS, METRIC_NAMES, OKABE_ITO, Table, VARIANT_COLOURS, OTHER_COLOURS, check_choice, label_number, variant_label, volume_text, load_comparison, unit_text
from .tables import ratio_text, table


def _proxy_text(meta) -> str:
    names = meta.get("proxies") or []
    return f" Proxy values (see the assumptions): {', '.join(names)}." if names else ""


def _comparison_figure(t: Table):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    s = t.meta["scenario"]
    scopes = t.meta["scopes"]
    titles = [f"Per {s.task.unit}" if sc == "task" else f"Over {duration_text(s.task.horizon)} at {volume_text(s)}"
              for sc in scopes]
    fig = make_subplots(rows=1, cols=len(scopes), subplot_titles=titles, horizontal_spacing=0.14,
                        column_widths=[0.55, 0.45] if len(scopes) == 2 else None)
    colour = {}
    for i, row in enumerate(r for r in t.rows if r["side"] == "ai"):
        colour.setdefault(row["variant"], VARIANT_COLOURS[len(colour) % len(VARIANT_COLOURS)])
    for col, scope in enumerate(scopes, start=1):
        rows = [r for r in t.rows if r["scope"] == scope]
        unit = t.meta["units"][scope]
        for r in rows:
            c = colour.get(r["variant"], ALTERNATIVE_COLOUR) if r["side"] == "ai" else ALTERNATIVE_COLOUR
            fig.add_trace(go.Bar(
                x=[r["label"]], y=[r["value"]], name=r["label"], legendgroup=r["label"], showlegend=(col == 1),
                marker_color=c,
                error_y={"type": "data", "symmetric": False, "array": [r["high"] - r["value"]],
                         "arrayminus": [r["value"] - r["low"]], "color": "#333333", "thickness": 1.5, "width": 8},
                hovertemplate=(f"{r['label']}<br>central %{{y:.3~g}} {unit_text(unit)}<br>range {label_number(r['low'])}–"
                               f"{label_number(r['high'])} {unit_text(unit)}<extra></extra>"),
            ), row=1, col=col)
            if not math.isfinite(r["value"]):  # a metric the sources do not give: said on the chart, never a 0 bar
                known = [x["value"] for x in rows if math.isfinite(x["value"]) and x["value"] > 0]
                fig.add_annotation(x=r["label"], y=(math.log10(min(known)) if t.meta["log"][scope] and known else 0),
                                   text="<b>not available</b><br>(no such figure<br>in the sources)",
                                   showarrow=False, yanchor="bottom", font={"size": 12}, row=1, col=col)
                continue
            text = f"<b>{label_number(r['value'])} {unit_text(unit)}</b>"
            if r["low"] != r["value"] or r["high"] != r["value"]:
                text += f"<br>({label_number(r['low'])}–{label_number(r['high'])})"
            top = r["high"] if r["high"] > 0 else r["value"]
            fig.add_annotation(x=r["label"], y=math.log10(top) if t.meta["log"][scope] and top > 0 else top,
                               text=text, showarrow=False, yanchor="bottom", yshift=4, font={"size": 12},
                               row=1, col=col)
        what = METRIC_NAMES[t.metric]
        ytitle = (f"{what}<br>per {s.task.unit} [{unit_text(unit)}]" if scope == "task"
                  else f"{what}<br>over {duration_text(s.task.horizon)} [{unit_text(unit)}]")
        fig.update_yaxes(title_text=ytitle, type="log" if t.meta["log"][scope] else "linear", row=1, col=col)
        # the ratio to the alternative under each AI bar of the first panel
        ticks = [r["label"] + ("<br>" + ratio_text(r) if r["side"] == "ai" and scope == scopes[0] else "")
                 for r in rows]
        fig.update_xaxes(tickvals=[r["label"] for r in rows], ticktext=ticks, tickangle=0, tickfont={"size": 12},
                         row=1, col=col)
        if not t.meta["log"][scope]:  # room for the labels above the whiskers
            tallest = max([max(r["high"], r["value"]) for r in rows if math.isfinite(r["value"])] or [1.0])
            fig.update_yaxes(range=[0, tallest * 1.3], row=1, col=col)
    fig.update_layout(
        title=title_layout(f"{s.name}: {_metric_words(t.metric)}, with AI and without",
                     "Bars: central estimate; whiskers: low–high range of the inputs. Under each AI bar: AI / "
                     "without AI per task, its range, and the probability that AI is lower."
                     + (" Log scale." if any(t.meta["log"].values()) else "") + _proxy_text(t.meta)),
        barmode="group", bargap=0.35, margin={"b": 110}, showlegend=False,
    )
    fig.update_layout(margin={"t": top_margin(fig, 40)})
    return style_figure(fig)


def _breakdown_figure(t: Table):
    import plotly.graph_objects as go

    s = t.meta["scenario"]
    unit = t.meta["unit"]
    bars = list(dict.fromkeys(r["bar"] for r in t.rows))
    lines = [r for r in t.rows if r["line"] != "total"]
    order = [k for k in CATEGORIES if any(r["category"] == k for r in lines)]
    order += list(dict.fromkeys(r["category"] for r in lines if r["category"] not in CATEGORIES))
    fig = go.Figure()
    other = 0
    for cat in order:
        if cat in CATEGORIES:
            name, colour, pattern = CATEGORIES[cat]
        else:
            name = cat.split(":", 1)[1]
            colour, pattern = OTHER_COLOURS[other % len(OTHER_COLOURS)]
            other += 1
        values = []
        detail = []
        for bar in bars:
            mine = [r for r in lines if r["bar"] == bar and r["category"] == cat]
            values.append(sum(r["value"] for r in mine))
            detail.append("<br>".join(f"{r['line']}: {label_number(r['value'])}" for r in mine) or "none")
        if not any(v > 0 for v in values):
            continue
        fig.add_trace(go.Bar(
            x=bars, y=values, name=name, marker={"color": colour, "pattern": {"shape": pattern}},
            customdata=detail,
            hovertemplate=f"{name}<br>%{{x}}: %{{y:.3~g}} {unit_text(unit)}<br>%{{customdata}}<extra></extra>",
        ))
    totals = [r for r in t.rows if r["line"] == "total"]
    fig.add_trace(go.Scatter(
        x=[r["bar"] for r in totals], y=[r["value"] for r in totals], mode="markers", name="Total (low–high range)",
        marker={"symbol": "line-ew-open", "size": 28, "color": "#333333", "line": {"width": 2}},
        error_y={"type": "data", "symmetric": False, "array": [r["high"] - r["value"] for r in totals],
                 "arrayminus": [r["value"] - r["low"] for r in totals], "color": "#333333", "width": 8},
        hovertemplate=f"%{{x}}<br>total %{{y:.3~g}} {unit_text(unit)}<extra></extra>",
    ))
    scope = f"per {s.task.unit}" if t.meta["per"] == "task" else f"over {duration_text(s.task.horizon)}"
    fig.update_layout(
        barmode="stack", bargap=0.4,
        title=title_layout(f"{s.name}: what makes up the {_metric_words(t.metric)} {scope}",
                     "Stacked central contributions of each line; marker and whiskers: total and its low–high range."
                     + _proxy_text(t.meta)),
        yaxis_title=_wrap(f"{METRIC_NAMES[t.metric]} {scope} [{unit_text(unit)}]", 45),
        legend={"traceorder": "normal"},
    )
    fig.update_layout(margin={"t": top_margin(fig, 10)})
    return style_figure(fig)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def _sweep_figure(t: Table):
    import plotly.graph_objects as go

    s = t.meta["scenario"]
    unit = t.meta["unit"]
    vu = t.meta["volume_unit"]
    fig = go.Figure()
    series = list(dict.fromkeys(r["series"] for r in t.rows if r["kind"] == "total"))
    colours = {}
    for name in series:
        colours[name] = (ALTERNATIVE_COLOUR if name == ALTERNATIVE_LABEL
                         else VARIANT_COLOURS[len([c for c in colours if c != ALTERNATIVE_LABEL]) % len(VARIANT_COLOURS)])
    for name in series:
        rows = [r for r in t.rows if r["series"] == name and r["kind"] == "total"]
        x = [r["volume"] for r in rows]
        colour = colours[name]
        fig.add_trace(go.Scatter(x=x, y=[r["high"] for r in rows], mode="lines", line={"width": 0},
                                 legendgroup=name, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=x, y=[r["low"] for r in rows], mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=_rgba(colour, 0.2), legendgroup=name, showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            x=x, y=[r["value"] for r in rows], mode="lines", name=name, legendgroup=name,
            line={"color": colour, "width": 3, "dash": "solid" if name != ALTERNATIVE_LABEL else "dash"},
            customdata=[[r["low"], r["high"]] for r in rows],
            hovertemplate=(f"{name}<br>%{{x:,.3~g}} {s.task.unit} per {vu}<br>%{{y:.3~g}} {unit_text(unit)} "
                           f"(%{{customdata[0]:.3~g}}–%{{customdata[1]:.3~g}})<extra></extra>"),
        ))
    for r in (r for r in t.rows if r["kind"] == "break_even"):
        fig.add_trace(go.Scatter(
            x=[r["volume"]], y=[r["value"]], mode="markers", name=f"{r['series']}: {label_number(r['volume'])} per {vu}",
            marker={"symbol": "diamond", "size": 14, "color": OKABE_ITO["black"], "line": {"color": "white", "width": 1}},
            error_x={"type": "data", "symmetric": False, "array": [r["volume_high"] - r["volume"]],
                     "arrayminus": [r["volume"] - r["volume_low"]], "color": OKABE_ITO["black"], "width": 6},
            hovertemplate=(f"{r['series']}<br>{label_number(r['volume'])} per {vu} (range {label_number(r['volume_low'])}–"
                           f"{label_number(r['volume_high'])})<extra></extra>"),
        ))
    budget = [r for r in t.rows if r["kind"] == "budget"]
    if budget:
        fig.add_trace(go.Scatter(x=[r["volume"] for r in budget], y=[r["value"] for r in budget], mode="lines",
                                 name=budget[0]["series"], line={"color": OKABE_ITO["vermillion"], "width": 2,
                                                                 "dash": "dot"}))
    v_lo, v_mid, v_hi = t.meta["volume"]
    if v_hi > v_lo:
        fig.add_vrect(x0=v_lo, x1=v_hi, fillcolor=LIGHT_GREY, opacity=0.3, line_width=0, layer="below")
    fig.add_vline(x=v_mid, line={"color": GREY, "dash": "dot", "width": 1.5})
    fig.add_annotation(x=math.log10(v_mid), y=1.0, yref="paper", text=f"this scenario: {volume_text(s)}",
                       showarrow=False, yanchor="bottom", font={"size": 12, "color": "#333333"})
    notes = []
    for name, status in t.meta["break_even"].items():
        if status == "ai_always_lower":
            notes.append(f"{name}: AI lower at every volume")
        elif status == "ai_never_lower":
            notes.append(f"{name}: AI never lower")
    subtitle = ("Lines: central estimate; shaded: low–high range; grey band: the scenario's volume range."
                + (f" {'; '.join(notes)} (no break-even)." if notes else "") + t.meta["budget_note"])
    fig.update_layout(
        title=title_layout(f"{s.name}: {_metric_words(t.metric)} over {duration_text(s.task.horizon)} "
                     "against volume", subtitle),
        xaxis={"title": {"text": f"Volume [{s.task.unit} per {vu}]"}, "type": "log"},
        yaxis={"title": {"text": _wrap(f"{METRIC_NAMES[t.metric]} over {duration_text(s.task.horizon)} "
                                       f"[{unit_text(unit)}]", 45)}, "type": "log"},
        hovermode="closest",
    )
    fig.update_layout(margin={"t": top_margin(fig, 30)})
    return style_figure(fig)


def _sensitivity_figure(t: Table):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    s = t.meta["scenario"]
    variants = t.meta["variants"]
    scope = f"per {s.task.unit}" if t.meta["per"] == "task" else f"over {duration_text(s.task.horizon)}"
    shown = {v: [r for r in t.rows if r["variant"] == v and r["shown"]] for v in variants}
    heights = [max(len(rs), 1) + 1 for rs in shown.values()]
    fig = make_subplots(rows=len(variants), cols=1, row_heights=heights, vertical_spacing=0.12,
                        subplot_titles=[f"{variant_label(v)} (central {label_number(t.meta['central'][v])} "
                                        f"{unit_text(t.meta['units'][v])})" for v in variants])
    low_colour, high_colour = OKABE_ITO["blue"], OKABE_ITO["orange"]
    for i, v in enumerate(variants, start=1):
        rs = list(reversed(shown[v]))  # largest swing on top
        unit = t.meta["units"][v]
        central = t.meta["central"][v]
        short = {r["input"]: (r["input"] if len(r["input"]) <= 60 else r["input"][:57] + "…") for r in rs}
        if not rs:
            fig.add_trace(go.Scatter(x=[central], y=["every input central"], mode="markers", showlegend=False,
                                     marker={"color": "#333333", "symbol": "line-ns-open", "size": 20}),
                          row=i, col=1)
            fig.add_annotation(text="no ranged input moves this result", showarrow=False, x=central,
                               y="every input central", yshift=24, row=i, col=1)
            continue
        y = [short[r["input"]] for r in rs]
        for end, colour, label in (("low", low_colour, "Input at the low end of its range"),
                                   ("high", high_colour, "Input at the high end of its range")):
            vals = [r[f"result_at_input_{end}"] for r in rs]
            fig.add_trace(go.Bar(
                y=y, x=[val - central for val in vals], base=central, orientation="h", name=label,
                legendgroup=end, showlegend=(i == 1), marker_color=colour,
                customdata=[[r["input"], r[f"input_{end}"], val] for r, val in zip(rs, vals)],
                hovertemplate=(f"%{{customdata[0]}} = %{{customdata[1]}}<br>result %{{customdata[2]:.3~g}} "
                               f"{unit_text(unit)}<extra></extra>"),
            ), row=i, col=1)
        fig.add_vline(x=central, line={"color": "#333333", "width": 1.5}, row=i, col=1)
        fig.update_xaxes(title_text=_wrap(f"{METRIC_NAMES[t.metric]} {scope} [{unit_text(unit)}]", 60), row=i, col=1)
        fig.update_yaxes(automargin=True, row=i, col=1)
    fig.update_layout(
        barmode="overlay",
        title=title_layout(f"{s.name}: which inputs move the {_metric_words(t.metric)} {scope} most",
                     "Each bar: one input from the low to the high end of its range, every other input central; "
                     f"the {t.meta['top']} largest swings of each AI variant (the non-AI side is not varied here)."),
        height=max(420, 140 + 34 * sum(heights)),
    )
    fig.update_layout(margin={"t": top_margin(fig, 30)})
    return style_figure(fig)


_FIGURES = {"comparison": _comparison_figure, "breakdown": _breakdown_figure, "sweep": _sweep_figure,
            "sensitivity": _sensitivity_figure}


def _metric_words(metric: str) -> str:
    """A metric's name inside a sentence: ``Abiotic depletion (ADPe, Sb eq)`` -> ``abiotic depletion (ADPe, Sb eq)``."""
    name = METRIC_NAMES[metric]
    return name[:1].lower() + name[1:]


def draw(t: Table):
    """The plotly Figure of a :class:`Table`; a side whose figure is not available is said under the chart."""
    fig = _FIGURES[t.kind](t)
    missing = sorted({r.get("series") or r.get("bar") or r.get("label") or r.get("side", "")
                      for r in t.rows if isinstance(r.get("value"), float) and not math.isfinite(r["value"])})
    if missing:
        fig.add_annotation(xref="paper", yref="paper", x=0, y=-0.18, xanchor="left", yanchor="top", showarrow=False,
                           align="left", font={"size": 12},
                           text=_wrap(f"Not available: {_metric_words(t.metric)} of {', '.join(missing)}: the sources "
                                      "give no such figure for one of its lines (footprint compare says which); "
                                      "its bar, line or total is left out, never drawn as 0.", 130))
        fig.update_layout(margin={"b": (fig.layout.margin.b or 80) + 70})
    return fig


def comparison(source, metric: str = "co2e", per: str | None = None):
    """AI variant(s) against the task done without AI, per task and over the horizon.

    Parameters
    ----------
    source : str or Path or Scenario or Comparison
    metric : {"energy", "co2e", "water"}
    per : {"task", "total"}, optional
        One panel only; both when ``None``.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from footprint import plots
    >>> fig = plots.comparison("scenarios/city_chatbot.toml", metric="co2e")
    >>> page = plots.write_html([fig], pathlib.Path(tempfile.mkdtemp()) / "chatbot.html")
    >>> page.name, "<html" in page.read_text(encoding="utf-8")
    ('chatbot.html', True)
    """
    return draw(table(source, "comparison", metric, per))


def breakdown(source, metric: str = "co2e", per: str = "task"):
    """Stacked contributions of every line, for each AI variant and the alternative (a plotly Figure)."""
    return draw(table(source, "breakdown", metric, per))


def sweep(source, metric: str = "co2e"):
    """Footprint over the horizon against task volume, with break-even and budget (a plotly Figure)."""
    return draw(table(source, "sweep", metric))


def sensitivity(source, metric: str = "co2e", per: str = "task"):
    """Tornado chart of the inputs that move each AI variant's footprint most (a plotly Figure)."""
    return draw(table(source, "sensitivity", metric, per))


def _wrap(text: str, width: int) -> str:
    """Break `text` into lines of at most about `width` characters (plotly's ``<br>``)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "<br>".join(lines)


def title_layout(headline: str, subtitle: str = "") -> dict:
    """A figure title: the headline wrapped, a smaller subtitle under it."""
    text = f"<b>{_wrap(headline, 80)}</b>"
    if subtitle:
        text += "<br><sup>" + _wrap(subtitle, 130).replace("<br>", "</sup><br><sup>") + "</sup>"
    return {"text": text, "x": 0.01, "xanchor": "left", "y": 0.97, "yanchor": "top"}


def top_margin(fig, extra: int = 0) -> int:
    """Room above the plot for the title's lines (and `extra` pixels of subplot titles or notes)."""
    text = fig.layout.title.text or ""
    return 20 + 24 * (text.count("<br>") + 1) + extra


def style_figure(fig):
    fig.update_layout(template="plotly_white", font={"size": 14, "family": "Arial, Helvetica, sans-serif"},
                      legend={"orientation": "v"}, hoverlabel={"align": "left"})
    if not fig.layout.height:
        fig.update_layout(height=560)
    return fig


def render(source, kinds=KINDS, metric: str = "co2e", per: str | None = None) -> list:
    """Compute every requested figure of a scenario once: a list of ``(kind, Figure, Table)``."""
    metric = check_choice("metric", metric, METRICS)
    kinds = [check_choice("plot kind", k, KINDS) for k in kinds]
    c = load_comparison(source)
    out = []
    for kind in kinds:
        t = table(c, kind, metric, per)
        out.append((kind, draw(t), t))
    return out
