"""The layout rules of docs/architecture.md, checked.

- The import-linter contracts in pyproject.toml (apps layered, no cycle inside an app) hold.
- No first-party module imports inside a function: an import that dodges a cycle means the
  design has a cycle. Django's own hooks are the exception (`AppConfig.ready`, migrations).
- Demo content needs nothing from the test requirements.
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "coupdepouce",
    "accounts",
    "payments",
    "receipts",
    "holders",
    "offers",
    "questions",
    "follows",
    "applications",
    "calls",
    "projects",
    "themes",
    "home",
    "demo",
]


def first_party_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imports_inside_functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if path.name == "apps.py" and node.name == "ready":
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import | ast.ImportFrom):
                found.append(f"{path.relative_to(ROOT)}:{inner.lineno} in {node.name}()")
    return found


def test_no_import_inside_a_function():
    offenders = [line for path in first_party_modules() for line in imports_inside_functions(path)]
    assert offenders == []


def test_import_linter_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_layers_in_the_docs_match_the_contract():
    """docs/architecture.md lists the same layers, in the same order, as the contract."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = pyproject.split("layers = [", 1)[1].split("]", 1)[0]
    contract = [line.strip().strip('",') for line in block.splitlines() if line.strip()]
    docs = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = docs.split("<!-- layers -->", 1)[1].split("<!-- /layers -->", 1)[0]
    assert [line.strip() for line in listed.strip("`\n").splitlines() if line.strip()] == contract


def test_no_app_uses_the_test_factories():
    for path in first_party_modules():
        text = path.read_text(encoding="utf-8")
        assert "import factory" not in text and "wagtail_factories" not in text, path
        assert "tests.factories" not in text, path
