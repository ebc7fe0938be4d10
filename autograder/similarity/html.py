"""The similarity report as one self-contained HTML page and a CSV: the ranked pairs, then each
pair's two files side by side with the matching regions coloured and numbered alike.

Reads only a ``SimilarityReport``. Code is student text: autoescaped, control characters and bidi
overrides made visible (``terminal_text``), so it can neither add markup nor hide what it is.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

import jinja2

from autograder.report.html import without_controls
from autograder.similarity.compare import ModuleFile, Pair, SimilarityReport
from autograder.terminal_text import escape_controls

SIMILARITY_REPORT, SIMILARITY_CSV = "similarity.html", "similarity.csv"
_COLOURS = 6


_TEMPLATE = jinja2.Environment(autoescape=True, finalize=without_controls).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ r.pset }} — similarity: {{ r.pairs|length }} pairs at or above {{ "%.0f"|format(100 * r.min_similarity) }}%</title>
<style>
 body{font:15px/1.45 system-ui,sans-serif;max-width:90rem;margin:2rem auto;padding:0 1rem;color:#222}
 h1{font-size:1.5rem;margin-bottom:.2rem} h2{margin-top:2rem}
 table{border-collapse:collapse;margin:.5rem 0 1rem} td,th{padding:.25rem .5rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
 th{background:#f5f5f5} td.n{text-align:right;font-variant-numeric:tabular-nums}
 .note{background:#f6f8fa;border:1px solid #d0d7de;padding:.5rem .8rem}
 .side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
 .file{max-height:40rem;overflow:auto;border:1px solid #d0d7de}
 .file h3{position:sticky;top:0;background:#fff;margin:0;padding:.3rem .5rem;font-size:14px;border-bottom:1px solid #d0d7de}
 table.code{border-collapse:collapse;margin:0;width:100%} table.code td{border:0;padding:0 .4rem;font:12px/1.4 ui-monospace,monospace;white-space:pre}
 td.ln{color:#999;text-align:right;user-select:none} td.tag{color:#fff;font-weight:bold;width:1.5rem}
 .m0{background:#ffd8b5}.m1{background:#c8e6ff}.m2{background:#d3f5c4}.m3{background:#f2d0f5}.m4{background:#fff3a8}.m5{background:#cfe9e6}
 .m0 .tag{background:#e07b00}.m1 .tag{background:#1f6feb}.m2 .tag{background:#2da44e}.m3 .tag{background:#a040b0}.m4 .tag{background:#9a6700}.m5 .tag{background:#1b7c83}
</style></head><body>
<h1>{{ r.pset }} — similarity of submissions</h1>
<p class="note">{{ r.submissions|length }} submissions compared module by module. Shared code is no proof: read each pair's regions side by side before you conclude anything. This report changes no score.
Code in the released stubs and given files is not counted; a run of {{ r.k }} tokens found in more submissions than shown per module below counts as common code. Names, numbers, strings, comments and layout are ignored, so renaming and reformatting do not hide a match.</p>
{% if r.unreadable %}<p>Not compared (could not be read): {% for name, why in r.unreadable %}<b>{{ name }}</b> ({{ why }}){% if not loop.last %}; {% endif %}{% endfor %}</p>{% endif %}
<h2>Modules</h2>
<table id="modules"><tr><th>module</th><th>files</th><th>pairs</th><th>median</th><th>95th percentile</th><th>common when in more than</th><th>pairs listed</th></tr>
{% for m in r.modules %}<tr><td>{{ m.module }}</td><td class="n">{{ m.files }}</td><td class="n">{{ m.pairs }}</td><td class="n">{{ "%.0f"|format(100 * m.median) }}%</td>
<td class="n">{{ "%.0f"|format(100 * m.p95) }}%</td><td class="n">{{ m.common_over }} files</td><td class="n">{{ listed.get(m.module, 0) }}</td></tr>
{% endfor %}</table>
<p class="meta">median and 95th percentile: the fingerprint estimate over all pairs of the module, for scale.</p>
{% for m in r.modules if m.unscored %}<p class="note">{{ m.module }}: {{ m.unscored }} more candidate pairs were not scored (nearly all code in this module is alike); lower --common or raise --min-similarity.</p>{% endfor %}
{% if repeat %}<h2>Pairs alike in several modules</h2>
<table id="repeat"><tr><th>submissions</th><th>modules</th></tr>
{% for (a, b), mods in repeat %}<tr><td>{{ a }} · {{ b }}</td><td>{{ mods|join(", ") }}</td></tr>{% endfor %}</table>{% endif %}
<h2>Pairs, most similar first</h2>
{% if not shown %}<p>No pair shares {{ "%.0f"|format(100 * r.min_similarity) }}% or more of its own code.</p>{% else %}
<table id="pairs"><tr><th>#</th><th>module</th><th>submission</th><th>submission</th><th>similarity</th><th>longest match</th><th>regions</th></tr>
{% for p in shown %}<tr class="pair"><td><a href="#pair-{{ loop.index }}">{{ loop.index }}</a></td><td>{{ p.module }}</td><td>{{ p.a }}</td><td>{{ p.b }}</td>
<td class="n">{{ "%.0f"|format(100 * p.similarity) }}%</td><td class="n">{{ p.longest }} tokens</td><td class="n">{{ p.fragments|length }}</td></tr>
{% endfor %}</table>{% if r.pairs|length > shown|length %}<p>{{ r.pairs|length - shown|length }} more pairs in similarity.csv.</p>{% endif %}{% endif %}
{% for p, left, right in sides %}<section class="compare" id="pair-{{ loop.index }}">
<h2>{{ loop.index }}. {{ p.module }}: {{ p.a }} · {{ p.b }} — {{ "%.0f"|format(100 * p.similarity) }}%</h2>
<div class="side">{% for name, rows in [(p.a, left), (p.b, right)] %}<div class="file"><h3>{{ name }}/{{ p.module }}.py</h3><table class="code">
{% for number, text, region, first in rows %}<tr{% if region is not none %} class="m{{ region % colours }}" data-region="{{ region + 1 }}"{% endif %}><td class="tag">{% if first %}{{ region + 1 }}{% endif %}</td><td class="ln">{{ number }}</td><td>{{ text }}</td></tr>
{% endfor %}</table></div>{% endfor %}</div></section>
{% endfor %}
<p class="meta">k = {{ r.k }} tokens, winnowing window {{ r.window }}: every shared run of {{ r.k + r.window - 1 }} tokens or more is found.</p>
</body></html>
""")  # noqa: E501 - the template's lines


def similarity_files(report: SimilarityReport, *, top: int = 50) -> dict[str, str]:
    """similarity.html and similarity.csv, rendered (nothing written)."""
    return {SIMILARITY_REPORT: render_similarity_html(report, top=top),
            SIMILARITY_CSV: render_similarity_csv(report)}


def render_similarity_html(report: SimilarityReport, *, top: int = 50) -> str:
    """The page: every module's scale, the ``top`` pairs ranked, each of them side by side."""
    shown = report.pairs[:top]
    listed: dict[str, int] = defaultdict(int)
    by_students: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p in report.pairs:
        listed[p.module] += 1
        by_students[(p.a, p.b)].append(p.module)
    repeat = sorted(((ab, mods) for ab, mods in by_students.items() if len(mods) > 1),
                    key=lambda item: (-len(item[1]), item[0]))
    sides = [(p, _rows(report.files[(p.a, p.module)], p, 0), _rows(report.files[(p.b, p.module)], p, 1))
             for p in shown]
    return _TEMPLATE.render(r=report, shown=shown, listed=listed, repeat=repeat, sides=sides,
                            colours=_COLOURS)


def render_similarity_csv(report: SimilarityReport) -> str:
    """Every pair at or above the threshold: the numbers and where the regions are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["module", "submission_a", "submission_b", "similarity", "longest_tokens", "regions",
                     "lines_a", "lines_b"])
    for p in report.pairs:
        writer.writerow([p.module, _cell(p.a), _cell(p.b), round(p.similarity, 4), p.longest,
                         len(p.fragments), " ".join(f"{f.a_lines[0]}-{f.a_lines[1]}" for f in p.fragments),
                         " ".join(f"{f.b_lines[0]}-{f.b_lines[1]}" for f in p.fragments)])
    return buffer.getvalue()


def _rows(file: ModuleFile, pair: Pair, side: int) -> list[tuple[int, str, int | None, bool]]:
    """(line number, text, region index or None, first line of its region) for every line."""
    lines = [line.rstrip("\r") for line in file.text.split("\n")]  # as tokenize counts lines
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    region: list[int | None] = [None] * (len(lines) + 2)
    first: set[int] = set()
    for index, fragment in enumerate(pair.fragments):
        start, end = fragment.a_lines if side == 0 else fragment.b_lines
        free = [n for n in range(start, min(end, len(lines)) + 1) if region[n] is None]
        for n in free:
            region[n] = index
        if free:
            first.add(free[0])
    return [(n, text.expandtabs(4), region[n], n in first) for n, text in enumerate(lines, 1)]


def _cell(value: str) -> str:
    value = escape_controls(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
