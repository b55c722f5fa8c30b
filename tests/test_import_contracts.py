"""The import contract of DESIGN.md §5: the tree holds it, and the contract type of our own
(config/import_contracts.py) refuses what it must."""

import subprocess
import sys
from pathlib import Path

import grimp

from config.import_contracts import ApiOnlyContract

ROOT = Path(__file__).resolve().parents[1]


def _check(*imports: tuple[str, str]):
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_module(importer.split(".")[0])
        graph.add_module(importer)
        graph.add_module(imported)
        graph.add_import(importer=importer, imported=imported, line_number=3, line_contents="")
    contract = ApiOnlyContract(
        name="api only", session_options={}, contract_options={"apps": ["low", "high"]}
    )
    return contract.check(graph, verbose=False)


def test_another_apps_internals_are_refused_its_api_is_not():
    check = _check(("high.views", "low.models"), ("high.services", "low.api"), ("high.x", "low"))
    assert not check.kept
    # A bare `import low` is refused too: `low.models` could follow it.
    assert [(a, b) for a, b, _lines in check.metadata["illegal"]] == [
        ("high.views", "low.models"),
        ("high.x", "low"),
    ]
    # An app's own modules, and modules outside the apps (Django, config), are nobody's business.
    assert _check(("high.views", "high.models"), ("high.views", "django.db")).kept


def test_the_tree_keeps_every_contract():
    """What `make check` runs; here so that a broken layer fails the suite too."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Contracts: 4 kept, 0 broken." in result.stdout
