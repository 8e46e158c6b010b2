"""NLU report for `make bench`: 5-fold cross-validation of the intent
classifier and entity extractor on bot/data/nlu, the intents most often
confused, and how long a cold `rasa train` takes.

Run it with the bot's environment (it calls Rasa through this interpreter):

    .venv/bot/bin/python -m scripts.bench_nlu            # CV + training time
    .venv/bot/bin/python -m scripts.bench_nlu --no-train # CV only

Numbers, written down once:
- intent macro-F1: the unweighted mean of every intent's F1 over the held-out
  folds (a rare intent counts as much as a common one);
- entity F1: micro-averaged over every entity token DIET tags (the headline),
  with the macro average printed beside it; `no_entity` is left out of both;
- training time: wall clock of `rasa train` (NLU and dialogue) into a fresh
  temporary directory, with Rasa's cache pointed at an empty directory too,
  so nothing from an earlier run is reused.
Aims (issue 3): intent macro-F1 >= 0.95, entity F1 >= 0.90, training < 5 min.
The report prints and never fails the build; `--json FILE` keeps it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
AIMS = {"intent_macro_f1": 0.95, "entity_micro_f1": 0.90, "train_seconds": 300.0}
TOP_CONFUSIONS = 10


def _env(cache_dir: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    if cache_dir is not None:
        env["RASA_CACHE_DIRECTORY"] = str(cache_dir)
    return env


def _rasa(args: list[str], *, log: Path, env: dict[str, str]) -> None:
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run([sys.executable, "-m", "rasa", *args], cwd=REPO_ROOT, env=env,
                              stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
        raise SystemExit(f"rasa {args[0]} failed (exit {done.returncode}); log {log}:\n{tail}")


def time_training(work: Path) -> float:
    cache = work / "cache"
    cache.mkdir()
    started = time.monotonic()
    _rasa(["train", "--data", "bot/data", "--domain", "domain.yml", "--config", "config.yml",
           "--out", str(work / "models"), "--fixed-model-name", "bench"],
          log=work / "train.log", env=_env(cache))
    return time.monotonic() - started


def cross_validate(work: Path, folds: int) -> Path:
    out = work / "cv"
    _rasa(["test", "nlu", "--cross-validation", "--folds", str(folds), "--config", "config.yml",
           "--nlu", "bot/data/nlu", "--out", str(out)], log=work / "cv.log", env=_env())
    return out


def _entity_report(out: Path) -> dict[str, Any]:
    for name in ("DIETClassifier_report.json", "CRFEntityExtractor_report.json"):
        path = out / name
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    return {}


def _f1(report: dict[str, Any], average: str) -> float | None:
    value = (report.get(average) or {}).get("f1-score")
    return None if value is None else float(value)


def _entity_f1(report: dict[str, Any]) -> tuple[float | None, float | None]:
    """Micro and macro F1 over the real entities (not `no_entity`)."""
    rows = {k: v for k, v in report.items()
            if isinstance(v, dict) and "support" in v and k != "no_entity"
            and not k.endswith(" avg") and k != "accuracy"}
    if not rows:
        return _f1(report, "micro avg"), _f1(report, "macro avg")
    tp = fp = fn = 0.0
    for row in rows.values():
        support, precision, recall = row["support"], row["precision"], row["recall"]
        hits = recall * support
        tp += hits
        fn += support - hits
        fp += hits / precision - hits if precision else 0.0
    micro_p = tp / (tp + fp) if tp + fp else 0.0
    micro_r = tp / (tp + fn) if tp + fn else 0.0
    micro = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
    macro = sum(r["f1-score"] for r in rows.values()) / len(rows)
    return micro, macro


def confusions(out: Path) -> list[tuple[str, str, int]]:
    path = out / "intent_errors.json"
    if not path.exists():
        return []
    errors = json.loads(path.read_text(encoding="utf-8"))
    pairs = Counter((e["intent"], (e.get("intent_prediction") or {}).get("name", "?"))
                    for e in errors)
    return [(gold, predicted, n) for (gold, predicted), n in pairs.most_common(TOP_CONFUSIONS)]


def summarise(out: Path, train_seconds: float | None) -> dict[str, Any]:
    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    entities = _entity_report(out)
    micro, macro = _entity_f1(entities)
    worst = sorted(
        ((name, row["f1-score"]) for name, row in intents.items()
         if isinstance(row, dict) and "support" in row and not name.endswith(" avg")),
        key=lambda item: item[1],
    )[:5]
    return {
        "intent_macro_f1": _f1(intents, "macro avg"),
        "intent_weighted_f1": _f1(intents, "weighted avg"),
        "entity_micro_f1": micro,
        "entity_macro_f1": macro,
        "weakest_intents": worst,
        "confusions": confusions(out),
        "train_seconds": train_seconds,
    }


def _verdict(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    aim = AIMS[name]
    ok = value <= aim if name == "train_seconds" else value >= aim
    return "meets the aim" if ok else "BELOW THE AIM"


def report(summary: dict[str, Any], folds: int) -> str:
    lines = [f"NLU ({folds}-fold cross-validation of bot/data/nlu with config.yml)"]
    for key, label in (("intent_macro_f1", "intent macro-F1"),
                       ("entity_micro_f1", "entity F1 (micro)")):
        value = summary[key]
        shown = "n/a" if value is None else f"{value:.3f}"
        lines.append(f"  {label:<22} {shown}   aim >= {AIMS[key]:.2f}: {_verdict(key, value)}")
    if summary["entity_macro_f1"] is not None:
        lines.append(f"  {'entity F1 (macro)':<22} {summary['entity_macro_f1']:.3f}")
    lines.append("  weakest intents:       " + ", ".join(
        f"{name} {f1:.2f}" for name, f1 in summary["weakest_intents"]))
    lines.append("  most confused (gold -> predicted, count):")
    lines += [f"    {gold} -> {predicted}: {n}" for gold, predicted, n in summary["confusions"]] or [
        "    none"]
    seconds = summary["train_seconds"]
    if seconds is not None:
        lines.append(f"  training time (cold rasa train) {seconds:.0f} s   aim < 300 s: "
                     f"{_verdict('train_seconds', seconds)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-train", action="store_true", help="skip timing a cold rasa train")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="tcc-bench-nlu-"))
    try:
        # One heavy job at a time (two shared cores): training, then CV.
        train_seconds = None if args.no_train else time_training(work)
        summary = summarise(cross_validate(work, args.folds), train_seconds)
    finally:
        if not args.keep:
            subprocess.run(["rm", "-rf", str(work)], check=False)
    if args.keep:
        print(f"work directory kept: {work}")
    print(report(summary, args.folds))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
