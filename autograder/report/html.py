"""A result as one self-contained HTML page: scores per problem, every check its visibility allows,
and the pictures checks attached (drawn here with matplotlib, embedded as PNG).

Reads only the ``Result``. Hidden checks show their name, status and safe message; pictures only
for visible checks; ``after_due_date`` checks with ``show_all`` or once the student's due time
(extension included) had passed when the deadline was applied.
"""

from __future__ import annotations

import base64
import io

import jinja2
import markupsafe

from autograder.grading.result import CheckResult, Result
from autograder.report.display import bonus_note, describe_deadline, points, problem_title, title
from autograder.terminal_text import escape_controls


def without_controls(value):
    """Every value the template prints: text gets its control characters escaped (already-escaped
    markup stays markup); autoescape then escapes the HTML."""
    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(escape_controls(value))
    return escape_controls(value) if isinstance(value, str) else value


# A submission's message can neither add markup (autoescape) nor reorder what the page shows.
_ENVIRONMENT = jinja2.Environment(autoescape=True, finalize=without_controls)
_ENVIRONMENT.filters["points"] = points  # rounded for people; results.json keeps full precision
_ENVIRONMENT.filters["problem_title"] = problem_title  # "(bonus)" where the points are a bonus
_TEMPLATE = _ENVIRONMENT.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ heading }}: {{ r.score|points }}/{{ r.max_score|points }}</title>
<style>
 body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
 h1{font-size:1.5rem;margin-bottom:.2rem} .total{font-size:1.2rem;margin:.2rem 0 1rem}
 table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem} td,th{padding:.3rem .5rem;
 border-bottom:1px solid #ddd;text-align:left;vertical-align:top} th{background:#f5f5f5}
 .passed{color:#1a7f37}.failed,.error{color:#cf222e}.timeout{color:#9a6700}.skipped{color:#777}
 .bar{background:#eee;border-radius:3px;height:.6rem;width:8rem;display:inline-block}
 .bar span{display:block;height:100%;border-radius:3px;background:#1a7f37}
 pre{background:#f6f8fa;padding:.5rem;white-space:pre-wrap;margin:.3rem 0;font-size:13px}
 .finding{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem;margin:.5rem 0}
 .late{background:#f6f8fa;border-left:3px solid #9a6700;padding:.4rem .6rem;margin:.3rem 0 1rem}
 figure{margin:.5rem 0} img{max-width:100%} .meta{color:#777;font-size:12px}
</style></head><body>
<h1>{{ heading }}</h1>
{% if r.status != "graded" %}<p class="error">Not graded: {{ r.output }}</p>{% else %}
<p class="total" id="total">Score: <b>{{ r.score|points }}</b> / {{ r.max_score|points }}</p>
{% if bonus %}<p class="bonus" id="bonus">{{ bonus }}</p>{% endif %}
{% if late %}<p class="late" id="late">⏰ {{ late }}</p>{% endif %}
<table><tr><th>problem</th><th>points</th><th></th></tr>
{% for p in r.problems %}<tr><td><a href="#{{ p.id }}">{{ p|problem_title }}</a></td>
<td>{{ p.score|points }} / {{ p.max_score|points }}</td>
<td><span class="bar"><span style="width:{{ (100 * p.score / p.max_score) if p.max_score else 0 }}%"></span></span></td></tr>
{% endfor %}</table>
{% for f in r.findings %}<p class="finding">⚠ {{ f.message }}</p>{% endfor %}
{% for p, checks in sections %}<h2 id="{{ p.id }}">{{ p|problem_title }}</h2>
<table><tr><th></th><th>check</th><th>points</th></tr>
{% for t in checks %}<tr class="check"><td class="{{ t.status }}">{{ t.status }}</td>
<td>{{ t.name }}{% if t.visibility == "hidden" %} <i>(hidden)</i>{% endif %}
{% if t.output and t.status != "passed" %}<pre>{{ t.output }}</pre>{% endif %}
{% for img in pictures.get(t.nodeid, []) %}<figure><img alt="{{ img.title }}" src="data:image/png;base64,{{ img.png }}"></figure>{% endfor %}
</td><td>{{ t.score|points }} / {{ t.max_score|points }}</td></tr>
{% endfor %}</table>{% endfor %}{% endif %}
<p class="meta">graded {{ r.graded_at }} · sandbox: {{ r.environment.get("sandbox_layers", [])|join(", ") }}</p>
</body></html>
""")


def render_html(result: Result, *, show_all: bool = False) -> str:
    show_all = show_all or result.deadline.get("due_passed", False)  # the student's own due time
    sections = []
    pictures: dict[str, list[dict]] = {}
    for problem in result.problems:
        checks = [t for t in result.tests if t.problem == problem.id and _visible(t, show_all)]
        if checks:
            sections.append((problem, checks))
        for t in checks:
            if t.figures and (show_all or t.visibility == "visible"):
                pictures[t.nodeid] = [{"title": f.get("title", ""), "png": _draw(f)} for f in t.figures]
    note = bonus_note(result)
    return _TEMPLATE.render(r=result, sections=sections, pictures=pictures,
                            late=describe_deadline(result.deadline), heading=title(result),
                            bonus=f"{note}." if note else "")


def _draw(figure: dict) -> str:
    """One figure's data as a base64 PNG."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=100)
    try:
        if figure.get("kind") == "bars":
            values = figure.get("values", {})
            ax.bar(list(values), list(values.values()), color="#4c72b0")
            if figure.get("threshold") is not None:
                ax.axhline(figure["threshold"], color="#cf222e", linestyle="--", label="threshold")
                ax.legend()
        else:
            for (label, ys), style in zip(figure.get("series", {}).items(), ("-", "--", ":", "-."),
                                          strict=False):
                ax.plot(range(len(ys)), ys, style, label=label, linewidth=2 if style == "-" else 1.5)
            if figure.get("log_y"):
                ax.set_yscale("log")
            ax.legend()
            ax.set_xlabel(figure.get("xlabel", ""))
        ax.set_ylabel(figure.get("ylabel", ""))
        ax.set_title(figure.get("title", ""))
        return png_base64(fig)
    finally:
        plt.close(fig)


def pyplot():
    """matplotlib's pyplot without a display (Agg), imported on first use: reports without
    pictures never load it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png_base64(fig) -> str:
    """A finished figure as a base64 PNG, for an ``<img src="data:...">`` (the caller closes it)."""
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def _visible(check: CheckResult, show_all: bool) -> bool:
    return show_all or check.visibility != "after_due_date"
