"""scripts/lighthouse.py: what it reads from a Lighthouse report, and its answer without the tools.

Lighthouse itself (node, Chromium) is not run here: `make bench` runs it against a live site.
"""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "lighthouse.py"
spec = importlib.util.spec_from_file_location("lighthouse_script", SCRIPT)
lighthouse = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lighthouse)


def lhr(performance=1.0, accessibility=1.0):
    """A Lighthouse report cut down to the parts the script reads."""
    return {
        "categories": {
            "performance": {
                "score": performance,
                "auditRefs": [
                    {"id": "uses-text-compression", "weight": 0},
                    {"id": "largest-contentful-paint", "weight": 25},
                ],
            },
            "accessibility": {
                "score": accessibility,
                "auditRefs": [
                    {"id": "color-contrast", "weight": 7},
                    {"id": "image-alt", "weight": 10},
                    {"id": "accesskeys", "weight": 0},
                ],
            },
        },
        "audits": {
            "largest-contentful-paint": {"title": "LCP", "score": 0.9, "displayValue": "2.6 s"},
            "uses-text-compression": {"title": "Compression", "score": 0.5, "scoreDisplayMode": "metricSavings"},
            "color-contrast": {"title": "Contrast", "score": 0, "scoreDisplayMode": "binary"},
            "image-alt": {"title": "Alt", "score": 1, "scoreDisplayMode": "binary"},
            "accesskeys": {"title": "Access keys", "score": None, "scoreDisplayMode": "notApplicable"},
            "network-requests": {
                "details": {
                    "items": [
                        {"resourceType": "Document", "transferSize": 10_000},
                        {"resourceType": "Stylesheet", "transferSize": 7_000},
                        {"resourceType": "Script", "transferSize": 1_500},
                        {"resourceType": "Font", "transferSize": 20_000},
                        {"resourceType": "Image", "transferSize": 50_000},
                        {"resourceType": "Media", "transferSize": 300_000},
                    ]
                }
            },
        },
    }


def test_scores_are_percentages_and_the_weight_leaves_out_images_and_media():
    assert lighthouse.scores(lhr(performance=0.994, accessibility=0.87)) == {
        "performance": 99,
        "accessibility": 87,
        "bytes_total": 388_500,
        "bytes_without_images": 38_500,
    }


def test_failing_audits_name_what_does_not_pass_scored_first_and_skip_what_does_not_apply():
    failing = [
        (category, audit, scored) for category, audit, _title, _value, scored in lighthouse.failing_audits(lhr())
    ]
    assert failing == [
        ("performance", "largest-contentful-paint", True),
        ("accessibility", "color-contrast", True),
        ("performance", "uses-text-compression", False),
    ]


def test_several_runs_report_the_median_one():
    runs = [lhr(performance=0.7), lhr(performance=1.0), lhr(performance=0.9)]
    assert lighthouse.median_run(runs)["categories"]["performance"]["score"] == 0.9


def test_without_chromium_run_says_why_and_returns_none(monkeypatch, capsys):
    monkeypatch.delenv("CHROME_PATH", raising=False)
    monkeypatch.setattr(lighthouse.shutil, "which", lambda name: None)
    assert lighthouse.run({"home": "http://127.0.0.1:1/"}) is None
    assert "no Chromium" in capsys.readouterr().err


def test_without_node_run_says_why_and_returns_none(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CHROME_PATH", "/bin/sh")  # exists: Chromium is "there"
    monkeypatch.setattr(lighthouse, "INSTALL_DIR", tmp_path)  # Lighthouse not installed yet
    monkeypatch.setattr(lighthouse.shutil, "which", lambda name: None)
    assert lighthouse.run({"home": "http://127.0.0.1:1/"}) is None
    assert "node is not installed" in capsys.readouterr().err


def test_a_wrong_chrome_path_is_reported(monkeypatch, capsys):
    monkeypatch.setenv("CHROME_PATH", "/nowhere/chromium")
    assert lighthouse.run({"home": "http://127.0.0.1:1/"}) is None
    assert "CHROME_PATH=/nowhere/chromium does not exist" in capsys.readouterr().err
