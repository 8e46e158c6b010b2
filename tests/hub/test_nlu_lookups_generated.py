"""The bot's synonyms and lookup tables are generated from the hub's catalog:
the committed file must match what the seed data gives today."""

from __future__ import annotations

from scripts import generate_nlu_lookups as generator


def test_committed_nlu_lookups_match_the_seed_data() -> None:
    expected = generator.render(generator.hub_lookups())
    committed = generator.OUTPUT.read_text(encoding="utf-8")
    assert committed == expected, (
        "bot/data/nlu/catalog_generated.yml is out of date with hub/seed: run "
        "`.venv/hub/bin/python -m scripts.generate_nlu_lookups`"
    )


def test_every_provider_and_offering_name_is_a_synonym_of_its_code() -> None:
    lookups = generator.hub_lookups()
    text = generator.OUTPUT.read_text(encoding="utf-8")
    assert "  - synonym: tongji-hospital\n    examples: |\n      - Tongji Hospital\n" in text
    movies = {v["value"] for v in lookups["movie"]}
    assert "deep-sea-signal" in movies
    assert "  - lookup: movie\n" in text
    assert text.startswith("# GENERATED FILE")


def test_a_name_for_two_values_is_left_out() -> None:
    lookups = {
        "hospital": [{"value": "a-hospital", "name": "A", "synonyms": ["A Hospital", "Central"]}],
        "school": [{"value": "b-school", "name": "B", "synonyms": ["B School", "central"]}],
    }
    text = generator.render(lookups)
    # Not a synonym of either (lookup tables may still list it: they are
    # only a hint to the classifier).
    assert "  - synonym: a-hospital\n    examples: |\n      - A Hospital\n      - Central" not in text
    assert "  - synonym: a-hospital\n    examples: |\n      - A Hospital\n  - lookup" in text
    assert "# Left out, because each names more than one value: central" in text
