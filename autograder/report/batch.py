"""The batch report of a graded folder: ``report.html`` (item statistics, drawn) and CSVs beside it.

Owns rendering the statistics of ``report.item_statistics`` (over the results
``grading.results_folder`` reads) as one self-contained HTML page and three CSV files, and writing
them only once all of them are rendered. Never re-judges or changes a result.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import jinja2

from autograder.errors import UserError
from autograder.files import write_atomically
from autograder.grading.result import Result
from autograder.grading.results_folder import read_results
from autograder.report.html import png_base64, pyplot, without_controls
from autograder.report.item_statistics import BatchStatistics, as_graded, batch_statistics
from autograder.terminal_text import escape_controls

BATCH_REPORT, SCORES_CSV, CHECKS_CSV, CHECK_SCORES_CSV = (
    "report.html", "scores.csv", "checks.csv", "check_scores.csv")


class BatchReportError(UserError):
    """The results folder cannot be reported on; the message says what to do."""


@dataclass(frozen=True)
class BatchReport:
    statistics: BatchStatistics
    files: dict[str, str]  # file name -> text


def build_batch_report(results: list[Result]) -> BatchReport:
    """The statistics and every file's text, rendered in memory (nothing written yet)."""
    stats = batch_statistics(results)
    files = {
        BATCH_REPORT: render_batch_html(stats),
        SCORES_CSV: _scores_csv(stats, results),
        CHECKS_CSV: _checks_csv(stats),
        CHECK_SCORES_CSV: _check_scores_csv(stats, results),
    }
    return BatchReport(stats, files)


def write_batch_report(results_dir: Path, out: Path | None = None) -> BatchReport:
    """Read ``results_dir``, render everything, then write the files to ``out`` (default: the
    results folder itself). A bad input stops it before anything is written."""
    report = build_batch_report(read_results(results_dir))
    out = Path(out or results_dir)
    for name in report.files:
        if (out / name).is_dir():
            raise BatchReportError(f"{out / name} is a folder; pass another --out folder")
    for name, text in report.files.items():
        write_atomically(out / name, text)
    return report


# ---------------------------------------------------------------------------- CSV


def _scores_csv(stats: BatchStatistics, results: list[Result]) -> str:
    """One row per submission: status, total and each problem's score."""
    problems = [p.id for p in stats.problems]
    rows = [["submission", "status", "score", "max_score", *problems, "score_as_graded", "late_deduction",
             "late_status", "execution_seconds", "flags"]]
    flags = {}
    for f in stats.flags:
        flags[f.submission] = flags.get(f.submission, 0) + 1
    for r in results:
        by_problem = {p.id: p.score for p in r.problems}
        rows.append([r.submission, r.status, r.score, r.max_score,
                     *[by_problem.get(pid, "") for pid in problems], as_graded(r),
                     r.deadline.get("deduction", 0) if r.deadline else 0, r.deadline.get("status", ""),
                     r.execution_time, flags.get(r.submission, 0)])
    return _csv(rows)


def _checks_csv(stats: BatchStatistics) -> str:
    """One row per check: its item statistics."""
    rows = [["problem", "check", "nodeid", "visibility", "max_score", "attempted", "passed", "failed",
             "error", "timeout", "skipped", "pass_rate", "difficulty", "discrimination", "verdict",
             "most_common_failure", "most_common_failure_count", "mean_seconds"]]
    for c in stats.checks:
        rows.append([c.problem, c.name, c.nodeid, c.visibility, c.max_score, c.attempted,
                     *[c.counts.get(s, 0) for s in ("passed", "failed", "error", "timeout", "skipped")],
                     _num(c.pass_rate), _num(c.difficulty), _num(c.discrimination), c.verdict,
                     c.common_failure, c.common_failure_count, round(c.mean_seconds, 4)])
    return _csv(rows)


def _check_scores_csv(stats: BatchStatistics, results: list[Result]) -> str:
    """Submissions × checks: the points each earned (empty where the check did not run)."""
    checks = stats.checks
    rows = [["submission", *[c.nodeid for c in checks]]]
    for r in results:
        mine = {t.nodeid: t.score for t in r.tests if t.status != "skipped"}
        rows.append([r.submission, *[mine.get(c.nodeid, "") for c in checks]])
    return _csv(rows)


def _num(value: float | None) -> str | float:
    return "" if value is None else round(value, 4)


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula (a submission's name, a message) is quoted;
    whole numbers are written without a decimal point."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = escape_controls(value).replace("\n", " ")
        if value[:1] in ("=", "+", "-", "@"):
            return "'" + value
    return value


# ---------------------------------------------------------------------------- HTML


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


_ENV = jinja2.Environment(autoescape=True, finalize=without_controls)
_ENV.filters["fmt"] = _fmt
_TEMPLATE = _ENV.from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ s.pset }} — batch report: {{ s.graded|length }} graded of {{ s.submissions }}</title>
<style>
 body{font:15px/1.45 system-ui,sans-serif;max-width:75rem;margin:2rem auto;padding:0 1rem;color:#222}
 h1{font-size:1.5rem;margin-bottom:.2rem} h2{margin-top:2rem}
 table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem} td,th{padding:.3rem .5rem;
 border-bottom:1px solid #ddd;text-align:left;vertical-align:top} th{background:#f5f5f5}
 td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
 .bar{background:#eee;border-radius:3px;height:.6rem;width:6rem;display:inline-block}
 .bar span{display:block;height:100%;border-radius:3px;background:#1a7f37}
 .alert{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem .8rem;margin:.5rem 0}
 .badge{font-size:12px;padding:0 .3rem;border-radius:3px;color:#fff;white-space:nowrap}
 .all-pass .badge{background:#9a6700} .all-fail .badge{background:#cf222e}
 .weak{color:#cf222e} .msg{font-family:ui-monospace,monospace;font-size:12px;color:#555}
 img{max-width:100%} .meta{color:#777;font-size:12px}
</style></head><body>
<h1>{{ s.pset }} — batch report</h1>
<p id="summary">{{ s.submissions }} submissions: <b>{{ s.graded|length }}</b> graded, <b>{{ s.not_graded|length }}</b> not graded.
Total score: mean <b>{{ s.totals.mean|fmt }}</b>, median {{ s.totals.median|fmt }}, sd {{ s.totals.stdev|fmt }} of {{ "%g"|format(s.max_score) }};
{{ s.totals.full_marks }} with full marks, {{ s.totals.zero }} with zero{% if s.late %}; {{ s.late|length }} late{% endif %}.
Statistics use the scores as graded, before any late penalty (scores.csv has both).</p>
{% for c in s.all_fail %}<p class="alert all-fail">Check <b>{{ c.name }}</b> ({{ c.problem }}) fails for all {{ c.attempted }} graded submissions: a broken check or a problem nobody solved. Most common failure: <span class="msg">{{ c.common_failure }}</span></p>
{% endfor %}{% for c in s.all_pass %}<p class="alert all-pass">Check <b>{{ c.name }}</b> ({{ c.problem }}) passes for all {{ c.attempted }} graded submissions: it tells no one apart; is it testing anything?</p>
{% endfor %}
<h2 id="distribution">Score distribution</h2>
{% if plot %}<img id="histograms" alt="score histograms per problem" src="data:image/png;base64,{{ plot }}">{% endif %}
<table id="problems"><tr><th>problem</th><th>max</th><th>mean</th><th>median</th><th>sd</th><th>full marks</th><th>zero</th><th>histogram (0–100% of max, 10 bins)</th></tr>
{% for p in [s.totals] + s.problems %}<tr class="problem"><td>{{ p.title }}</td><td class="n">{{ "%g"|format(p.max_score) }}</td>
<td class="n">{{ p.mean|fmt }}</td><td class="n">{{ p.median|fmt }}</td><td class="n">{{ p.stdev|fmt }}</td>
<td class="n">{{ p.full_marks }}</td><td class="n">{{ p.zero }}</td><td class="msg">{{ p.histogram|join(" ") }}</td></tr>
{% endfor %}</table>
<h2 id="checks">Checks</h2>
<p class="meta">pass rate: share of graded submissions that passed. difficulty: mean share of the check's points earned (higher is easier).
discrimination: point-biserial correlation of passing with the rest of the score (the check's own points left out); below 0.2 (red) the check tells strong and weak submissions apart poorly, negative means strong ones fail it more.</p>
<table><tr><th>problem</th><th>check</th><th>points</th><th>n</th><th>pass rate</th><th>difficulty</th><th>discrimination</th><th>most common failure</th><th>mean s</th></tr>
{% for c in s.checks %}<tr class="check{% if c.verdict %} {{ c.verdict|replace(' ', '-') }}{% endif %}">
<td>{{ c.problem }}</td><td>{{ c.name }}{% if c.visibility != "visible" %} <i>({{ c.visibility }})</i>{% endif %}{% if c.verdict %} <span class="badge">{{ c.verdict }}</span>{% endif %}</td>
<td class="n">{{ "%.3g"|format(c.max_score) }}</td><td class="n">{{ c.attempted }}</td>
<td class="n">{% if c.pass_rate is not none %}<span class="bar"><span style="width:{{ 100 * c.pass_rate }}%"></span></span> {{ "%.0f"|format(100 * c.pass_rate) }}%{% else %}—{% endif %}</td>
<td class="n">{{ c.difficulty|fmt }}</td>
<td class="n{% if c.discrimination is not none and c.discrimination < 0.2 %} weak{% endif %}">{{ c.discrimination|fmt }}</td>
<td>{% if c.common_failure_count %}<span class="msg">{{ c.common_failure }}</span> ({{ c.common_failure_count }} of {{ c.failures }}){% endif %}</td>
<td class="n">{{ "%.2f"|format(c.mean_seconds) }}</td></tr>
{% endfor %}</table>
<h2 id="flagged">Flagged for review ({{ s.flags|length }})</h2>
{% if s.flags %}<table><tr><th>submission</th><th>check or finding</th><th>why</th></tr>
{% for f in s.flags %}<tr class="flag"><td>{{ f.submission }}</td><td>{{ f.what }}</td><td class="msg">{{ f.reason }}</td></tr>
{% endfor %}</table>{% else %}<p>Nothing flagged.</p>{% endif %}
<h2 id="not-graded">Not graded ({{ s.not_graded|length }})</h2>
{% if s.not_graded %}<table><tr><th>submission</th><th>why</th></tr>
{% for r in s.not_graded %}<tr class="not-graded"><td>{{ r.submission }}</td><td class="msg">{{ r.output }}</td></tr>
{% endfor %}</table>{% else %}<p>Every submission was graded.</p>{% endif %}
<h2 id="slowest">Slowest submissions</h2>
<table><tr><th>submission</th><th>seconds</th><th>score</th></tr>
{% for r in s.slowest %}<tr class="slow"><td>{{ r.submission }}</td><td class="n">{{ "%.1f"|format(r.execution_time) }}</td><td class="n">{{ "%g"|format(r.score) }} / {{ "%g"|format(r.max_score) }}</td></tr>
{% endfor %}</table>
<p class="meta">CSV beside this page: scores.csv (submission × problem), checks.csv (these check statistics), check_scores.csv (submission × check points).</p>
</body></html>
""")  # noqa: E501 - the template's lines


def render_batch_html(stats: BatchStatistics) -> str:
    return _TEMPLATE.render(s=stats, plot=_histograms(stats) if stats.graded else "")


def _histograms(stats: BatchStatistics) -> str:
    """One panel per problem and one for the total: how many submissions earned each share."""
    plt = pyplot()
    panels = [stats.totals, *stats.problems]
    columns = min(3, len(panels))
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.6 * rows), dpi=100, squeeze=False)
    try:
        bins = len(stats.totals.histogram)
        for ax, p in zip(axes.flat, panels, strict=False):
            ax.bar([100 * (i + 0.5) / bins for i in range(bins)], p.histogram, width=100 / bins * 0.9,
                   color="#4c72b0")
            ax.set_title(f"{p.title} (max {p.max_score:g})", fontsize=10)
            ax.set_xlim(0, 100)
            ax.set_xlabel("% of max")
            ax.yaxis.get_major_locator().set_params(integer=True)
        for ax in list(axes.flat)[len(panels):]:
            ax.axis("off")
        return png_base64(fig)
    finally:
        plt.close(fig)
