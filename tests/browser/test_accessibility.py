"""axe-core (vendored, no network) finds no serious or critical violation on the pages people use most."""

from __future__ import annotations

import pytest

from tests.browser.test_every_page import app_url, go, settle, signed_in  # noqa: F401  (app_url: fixture)
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
AXE = ROOT / "tests" / "browser" / "vendor" / "axe-core" / "axe.min.js"  # axe-core 4.10.3, MPL-2.0
RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"]}});
  if (!result.passes.length) throw new Error("axe-core checked nothing");
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN)


@pytest.mark.parametrize(
    "role, title",
    [
        ("anonyme", "Tableau de bord national"),
        ("anonyme", "Plan d'action"),
        ("anonyme", "Connexion"),
        ("elu", "Mon territoire"),
        ("coordinateur", "Saisie"),
    ],
)
def test_no_serious_or_critical_accessibility_violation(browser, app_url, role, title):  # noqa: F811
    context, page = signed_in(browser, app_url, role)
    try:
        go(page, title)
        settle(page)
        found = violations(page)
        assert not found, "\n".join(found)
    finally:
        context.close()
