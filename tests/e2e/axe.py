"""Run axe-core (vendored, a test asset the product never loads) on the page a browser test is on.

``violations(page)`` adds static/vendor/axe-core/<version>/axe.min.js to the page (a script tag
from the live server's /static/) and runs the WCAG 2.0/2.1 level A and AA rules; it returns the
violations of impact "serious" or "critical". ``report(name, found)`` writes them readably: the
page and rule, then per element its selector and HTML, then what axe found:

    alert-list (http://…/alerts/) · color-contrast (serious): Elements must meet minimum color contrast …
        tr:nth-child(6) > td:nth-child(2) > .bg-orange.badge  <span class="badge bg-orange">橙色</span>
            Element has insufficient color contrast of 3.04 (foreground color: #ffffff, …)
        https://dequeuniversity.com/rules/axe/4.14/color-contrast?application=axeAPI
"""

from __future__ import annotations

import re
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_URL = f"/static/vendor/axe-core/{AXE_VERSION}/axe.min.js"
AXE_JS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / AXE_VERSION / "axe.min.js"

# WCAG 2.0 and 2.1, levels A and AA (the level the 《信息无障碍》 guidance and GB/T 37668 ask for).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("critical", "serious")

# Rules switched off, each with its reason. Keep this empty unless a rule cannot be satisfied
# at the source; docs/accessibility.md lists the same.
DISABLED: dict[str, str] = {}


def violations(page) -> list[dict]:
    """The serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Loaded from the live server's /static/ (same origin), so the pages' Content Security
        # Policy (script-src 'self') stays on while axe looks at them; an inline copy would be refused.
        origin = re.match(r"https?://[^/]+", page.url).group(0)
        page.add_script_tag(url=f"{origin}{AXE_URL}")
    result = page.evaluate(
        """async ([tags, disabled]) => {
            const rules = Object.fromEntries(disabled.map((id) => [id, {enabled: false}]));
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, rules,
                                               resultTypes: ['violations']});
            return r.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target.map(String).join(' '), html: n.html,
                                            impact: n.impact, summary: n.failureSummary || ''})),
            }));
        }""",
        [TAGS, sorted(DISABLED)],
    )
    blocking = []
    for v in result:
        nodes = [n for n in v["nodes"] if (n["impact"] or v["impact"]) in BLOCKING]
        if nodes:
            blocking.append({**v, "nodes": nodes})
    return blocking


def report(name: str, found: list[dict], limit: int = 8) -> str:
    """The violations of one page, one rule a paragraph, one element a line."""
    lines = []
    for v in found:
        lines.append(f"{name} · {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:limit]:
            detail = " ".join(node["summary"].split())
            detail = detail.removeprefix("Fix any of the following: ").removeprefix(
                "Fix all of the following: "
            )
            html = " ".join(node["html"].split())
            html = html if len(html) <= 120 else html[:117] + "..."
            lines.append(f"    {node['target']}  {html}")
            lines.append(f"        {detail[:300]}")
        if len(v["nodes"]) > limit:
            lines.append(f"    … and {len(v['nodes']) - limit} more element(s)")
        lines.append(f"    {v['helpUrl']}")
    return "\n".join(lines)
