"""The catalogue states thresholds as fields filled from the Threshold table, never as numbers."""

from __future__ import annotations

import dataclasses

import pytest

from cases import thresholds
from reporting import catalogue

pytestmark = pytest.mark.django_db


def test_it_words_every_label_and_definition_from_the_thresholds():
    limits = thresholds.current()
    for metric in [*catalogue.METRICS, *catalogue.DATA_QUALITY]:
        worded = metric.worded(limits)
        assert "{" not in worded.label + worded.definition, metric.code
    within = catalogue.get("s31_within_26_share").worded(limits)
    assert within.label == "Concluded within 26 weeks"
    assert within.definition.endswith("whose duration was 182 days or fewer.")


def test_it_labels_the_cafcass_bands_from_the_limit_and_the_long_band():
    limits = thresholds.current()
    assert catalogue.bands(limits) == [
        ("le26", "26 weeks or less"),
        ("27_29", "27 to 29 weeks"),
        ("ge30", "30 weeks or more"),
    ]
    moved = dataclasses.replace(limits, s31_limit_weeks=27, s31_band_long_weeks=32)
    assert catalogue.bands(moved) == [
        ("le26", "27 weeks or less"),
        ("27_29", "28 to 31 weeks"),
        ("ge30", "32 weeks or more"),
    ]
    definition = catalogue.get("s31_duration_band").worded(moved).definition
    assert "27 weeks or less (189 days or fewer), 28 to 31 weeks (190 to 223 days), 32 weeks or more (224 days" in (
        definition
    )
