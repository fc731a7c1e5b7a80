"""The board pack PDF: hand-worked figures in its text, its structure, no child's details, suppression."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess

import pytest
from django.core.management import CommandError, call_command

from cases import models as m
from reporting import charts
from reporting.models import BoardPack
from reporting.services import board_packs, metrics
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
MARCH = D(2026, 3, 1)
DASH = "\N{EN DASH}"  # a cell with nothing recorded
SECRETS = ["Zebedee", "Quillfeather", "ZQ-SECRET-1", "FAMSECRET9", "17 May 2019", "2019-05-17", "17/05/2019"]


def concluded(la, days: int, *, day: int = 20, secret: bool = False):
    end = D(2026, 3, day)
    family_details = {"la_reference": "FAMSECRET9", "name": "Quillfeather"} if secret else {}
    family = f.FamilyFactory(local_authority=la, **family_details)
    child_details = {"first_name": "Zebedee", "last_name": "Quillfeather", "la_child_id": "ZQ-SECRET-1"}
    child = f.ChildFactory(family=family, date_of_birth=D(2019, 5, 17), **(child_details if secret else {}))
    proceedings = f.ProceedingsFactory(family=family, issue_date=end - dt.timedelta(days=days), concluded_date=end)
    f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    return proceedings


@pytest.fixture
def pack(la_a, la_b):
    # Essex: 140, 170, 182, 200 and 260 days. Mean 952 / 5 = 190.4 days = 27.2 weeks; median 182 days = 26.0
    # weeks; within 26 weeks (182 days or fewer): 3 of 5, a count below 5.
    for n, days in enumerate((140, 170, 182, 200, 260)):
        concluded(la_a, days, secret=n == 0)
    # Suffolk: two (a count below 5: suppressed). Region: 7, mean (952 + 300 + 310) / 7 / 7 = 31.9 weeks.
    concluded(la_b, 300)
    concluded(la_b, 310)
    metrics.metrics_compute(window=metrics.Window(MARCH, MARCH, D(2026, 4, 15)))
    return board_packs.board_pack_generate(month=MARCH)


def pdf_text(pack: BoardPack, tmp_path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.file.open("rb").read())
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def line_with(text: str, label: str, after: str = "") -> str:
    start = text.index(after) if after else 0
    return next(line for line in text[start:].splitlines() if label in line)


def test_it_prints_the_hand_worked_figures(pack, tmp_path):
    text = pdf_text(pack, tmp_path)
    essex = line_with(text, "Average duration of care proceedings", after="Essex: headline figures")
    assert "27.2" in essex.split()
    assert "26.0" in line_with(text, "Median duration of care proceedings", after="Essex: headline figures").split()
    # 3 of 5 within 26 weeks: the share (60.0%) would give away a count of 3.
    assert "[c]" in line_with(text, "Concluded within 26 weeks", after="Essex: headline figures").split()
    region = line_with(text, "Average duration of care proceedings", after="Headline figures, region")
    assert "31.9" in region.split()
    # Suffolk's two concluded applications: the count and the averages built on them are suppressed.
    suffolk = line_with(text, "Care applications concluded", after="Suffolk: headline figures")
    assert "[c]" in suffolk.split()
    assert "[c]" in line_with(text, "Average duration of care proceedings", after="Suffolk: headline figures")
    # Counts: region 7 = Essex 5 + Suffolk 2, so Suffolk's 2 would be 7 - 5: Essex's 5 is withheld too (the
    # smallest other), and the region's 7, else Essex's own staff, who know their 5, would have it. The averages on
    # 5 and 7 applications give no count away and are shown (above).
    row = line_with(text, "Care applications concluded", after="Care proceedings by local authority").split()
    assert row[-5:] == ["[c]", "[c]", "0", "[c]", "0"]


def test_it_has_the_structure_of_a_board_paper(pack, tmp_path):
    text = pdf_text(pack, tmp_path)
    for heading in [
        "Local Family Justice Board pack",
        "March 2026",
        "OFFICIAL-SENSITIVE",
        "Contents",
        "Summary: the region against the 26-week limit",
        "Essex County Council",
        "Suffolk County Council",
        "Southend-on-Sea City Council",
        "Thurrock Council",
        "Pre-proceedings",
        "Care proceedings",
        "Assessment timeliness",
        "Delay drivers ranked by days lost",
        "Data quality",
        "Glossary: what each figure means",
    ]:
        assert heading in text, heading
    assert f"Page 1 of {pack.page_count}" in text
    assert f"Page {pack.page_count} of {pack.page_count}" in text
    info = subprocess.run(["pdfinfo", pack.file.path], capture_output=True, text=True, check=True).stdout
    assert f"Pages:           {pack.page_count}" in info
    assert "Title:           PLO Tracker board pack, March 2026" in info
    assert "Tagged:          yes" in info
    assert 12 <= pack.page_count <= 30


def test_it_never_names_a_child(pack, tmp_path):
    text = pdf_text(pack, tmp_path)
    for secret in SECRETS:
        assert secret not in text, secret
    raw = pack.file.open("rb").read()
    for secret in SECRETS:
        assert secret.encode() not in raw


def test_it_stores_the_pack_with_its_run_and_checksum(pack):
    content = pack.file.open("rb").read()
    assert hashlib.sha256(content).hexdigest() == pack.sha256
    assert pack.size_bytes == len(content)
    assert pack.metric_run.status == "succeeded"
    assert pack.month == MARCH
    # Building it again replaces it.
    again = board_packs.board_pack_generate(month=MARCH)
    assert again.pk == pack.pk
    assert BoardPack.objects.count() == 1


def test_it_refuses_a_month_without_metrics(db):
    with pytest.raises(board_packs.MetricsMissingError, match="Metrics for February 2026 have not been computed"):
        board_packs.board_pack_generate(month=D(2026, 2, 1))
    with pytest.raises(CommandError, match="compute_metrics --period 2026-02"):
        call_command("build_board_pack", "--month", "2026-02")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("build_board_pack", "--month", "March")


def test_it_builds_only_on_the_first_working_day(db):
    from reporting.tasks import build_board_pack_monthly

    # 1 April 2026 is a Wednesday (Easter Monday is 6 April); 1 May 2026 is a Friday; 4 May is a bank holiday.
    assert build_board_pack_monthly.run("2026-04-02") is None
    assert build_board_pack_monthly.run("2026-05-04") is None
    m.Proceedings.objects.all().delete()
    pack_id = build_board_pack_monthly.run("2026-04-01")
    assert BoardPack.objects.get(pk=pack_id).month == MARCH


def test_it_words_the_pack_and_measures_its_figures_from_the_thresholds_in_force(la_a, tmp_path):
    # Five Essex applications concluded in March after 185 days (26.4 weeks): none within 26 weeks (182 days).
    for _ in range(5):
        concluded(la_a, 185)
    window = metrics.Window(MARCH, MARCH, D(2026, 4, 15))
    metrics.metrics_compute(window=window)
    text = pdf_text(board_packs.board_pack_generate(month=MARCH), tmp_path)
    assert "Summary: the region against the 26-week limit" in text
    assert "0.0%" in line_with(text, "Concluded within 26 weeks", after="Essex: headline figures").split()
    assert "5" in line_with(text, "27 to 29 weeks", after="Cafcass duration band").split()

    # The limit moved to 27 weeks (189 days): all five are within it, and the pack says 27 weeks throughout.
    m.Threshold.objects.filter(code="s31_limit_weeks").update(value=27)
    metrics.metrics_compute(window=window)
    text = pdf_text(board_packs.board_pack_generate(month=MARCH), tmp_path)
    assert "Summary: the region against the 27-week limit" in text
    assert "Care proceedings must be decided within 27 weeks of issue" in text
    assert "100.0%" in line_with(text, "Concluded within 27 weeks", after="Essex: headline figures").split()
    assert "5" in line_with(text, "27 weeks or less", after="Cafcass duration band").split()
    assert "28 to 29 weeks" in text
    assert "Open applications older than 27 weeks with no extension" in text
    assert "whose duration was 189 days or fewer" in text
    # Only the national comparator (reference data, measured by MoJ against the statutory 26 weeks) still says 26.
    flat = " ".join(text.split())
    ours = flat[: flat.rindex("Glossary: what each figure means")].replace("MoJ national share within 26 weeks", "")
    assert "26-week" not in ours
    assert "26 weeks" not in ours


def test_it_suppresses_small_data_quality_counts(la_a, la_b):
    # Open applications with no hearing recorded: 5 in Essex (shown), 2 in Suffolk (suppressed), none elsewhere.
    for la, n in ((la_a, 5), (la_b, 2)):
        for _ in range(n):
            f.ProceedingsFactory(family=f.FamilyFactory(local_authority=la), issue_date=D(2026, 3, 2))
    rows = board_packs.board_pack_context(month=MARCH)["data_quality"]
    (row,) = [row for row in rows if row["label"] == "Open applications with no hearing recorded"]
    # LAs by name: Essex, Southend-on-Sea, Suffolk, Thurrock.
    assert row["counts"] == ["5", "0", "[c]", "0"]


# What REFERENCE.md says each headline's national figure (England) is; every other comparator of the
# reference data is the region's baseline (55 weeks, 7 per 10,000), Essex's own Ofsted figure (49%)
# or an exemplar (North Somerset 31.8 weeks; Tri-borough 27 weeks, 8.8 and 4 hearings).
NATIONAL = {
    "Average duration of care proceedings": "40.0",  # MoJ 2024-25, the latest national (Cafcass 44 is 2023-24)
    "Median duration of care proceedings": DASH,
    "Concluded within 26 weeks": "34.0%",
    "Care applications concluded": DASH,
    "Open care applications": DASH,
    "Open applications at risk": DASH,
    "Open applications past the time limit": DASH,
    "Hearings per concluded application": DASH,  # Tri-borough's 4.0 is an exemplar
    "Care application rate per 10,000": "9.2 (uncertain)",  # the region's baseline is 7.0
    "Pre-proceedings episodes started": DASH,
    "Open pre-proceedings episodes": DASH,
    "Step-down rate": DASH,  # Essex's 49.0% is an LA's own figure
}
HEADLINE_TABLES = [
    "Headline figures, region",
    "Essex: headline figures",
    "Southend-on-Sea: headline figures",
    "Suffolk: headline figures",
    "Thurrock: headline figures",
]


def national_column(text: str, caption: str) -> dict[str, str]:
    """Each row's last cell in a headline table of the pack's text (columns are 2 or more spaces apart)."""
    lines = text[text.index(caption) :].splitlines()
    header = next(line for line in lines if line.strip().startswith("Figure"))
    assert header.split()[-1] == "National", header  # "National (England)" wraps onto a second line
    column = {}
    for label in NATIONAL:
        row = next(line for line in lines if line.strip().startswith(label))
        cells = re.split(r"\s{2,}", row.strip())
        assert len(cells) == 5, cells
        column[label] = cells[-1]
    return column


def flat_text(pack: BoardPack, tmp_path) -> str:
    """The pack's text in the order it was written (row by row, cell by cell), each run of white space one space."""
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.file.open("rb").read())
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split()).replace("- ", "-")


def test_it_puts_only_national_figures_under_national(pack, tmp_path):
    text = pdf_text(pack, tmp_path)
    for caption in HEADLINE_TABLES:
        assert national_column(text, caption) == NATIONAL, caption
    flat = flat_text(pack, tmp_path)
    # Each figure under National is named with its source and vintage on the same page.
    assert flat.count(
        "average duration of care proceedings, MoJ national average (MoJ Family Court Statistics Quarterly (38-41), "
        "2024-25)"
    ) == len(HEADLINE_TABLES)
    assert flat.count(
        "care application rate per 10,000 children, National application rate (Trailblazer card; equals Cafcass "
        "2013-14 rate, 2023-24; uncertain figure)"
    ) == len(HEADLINE_TABLES)


def test_it_labels_the_regions_baseline_an_las_own_figure_and_exemplars_as_what_they_are(pack, tmp_path):
    flat = flat_text(pack, tmp_path)
    summary = flat[flat.index("Headline figures, region") : flat.index("Essex: headline figures")]
    # Figure, what the comparator is, its value, source and vintage: one row each of "Other comparators".
    for row in [
        "Average duration of care proceedings Regional baseline: Essex & Suffolk 55.0 weeks Trailblazer card "
        "(Cafcass statistics), 2023-24",
        "Average duration of care proceedings Good-practice exemplar: North Somerset 31.8 weeks Trailblazer good "
        "practice guide, 2024",
        "Average duration of care proceedings Good-practice exemplar: Tri-borough pilot 27.0 weeks Tri-borough care "
        "proceedings pilot, 2013",
        "Hearings per concluded application Good-practice exemplar: Tri-borough pilot, before 8.8 hearings "
        "Tri-borough care proceedings pilot, 2013",
        "Hearings per concluded application Good-practice exemplar: Tri-borough pilot, after 4.0 hearings "
        "Tri-borough care proceedings pilot, 2013",
        "Care application rate per 10,000 children Regional baseline: Essex & Suffolk 7.0 per 10,000 Trailblazer "
        "card, 2023-24",
        "Step-down rate Essex's own figure 49.0% Ofsted focused visit to Essex (January 2025), 2024",
    ]:
        assert row in summary, row
    # The comparators page: every comparator with its kind, value, source and vintage.
    page = flat[flat.rindex("Comparators: what each is, with its source and vintage") :]
    for row in [
        "Average duration of care proceedings National figure (England) Cafcass national average 44.0 weeks Cafcass "
        "statistics via Trailblazer card, 2023-24",
        "Average duration of care proceedings National figure (England) MoJ national average 40.0 weeks MoJ Family "
        "Court Statistics Quarterly (38-41), 2024-25",
        "Average duration of care proceedings The region's own baseline Essex & Suffolk 55.0 weeks",
        "Average duration of care proceedings Good-practice exemplar North Somerset 31.8 weeks",
        "Average duration of care proceedings Good-practice exemplar Tri-borough pilot 27.0 weeks",
        "Concluded within 26 weeks National figure (England) MoJ national share within 26 weeks 34.0% MoJ Family "
        "Court Statistics Quarterly (32-36%), 2024-25",
        "Hearings per concluded application Good-practice exemplar Tri-borough pilot, before 8.8 hearings",
        "Hearings per concluded application Good-practice exemplar Tri-borough pilot, after 4.0 hearings",
        "Care application rate per 10,000 children National figure (England) National application rate 9.2 per "
        "10,000 (uncertain) Trailblazer card; equals Cafcass 2013-14 rate, 2023-24; uncertain figure",
        "Care application rate per 10,000 children The region's own baseline Essex & Suffolk 7.0 per 10,000",
        "Step-down rate A local authority's own figure Essex's own figure 49.0% Ofsted focused visit to Essex "
        "(January 2025), 2024",
    ]:
        assert row in page, row
    assert m.NationalComparator.objects.count() == 11  # every one of them is listed above


def concluded_on(la, end: dt.date, days: int):
    family = f.FamilyFactory(local_authority=la)
    proceedings = f.ProceedingsFactory(family=family, issue_date=end - dt.timedelta(days=days), concluded_date=end)
    f.ChildProceedingsFactory(proceedings=proceedings)


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_it_says_a_suppressed_las_chart_is_suppressed_and_an_la_with_nothing_recorded_has_no_data(la_a, tmp_path):
    # Southend: 2 applications concluded in January 2026, 1 in February and 3 in March, each month under 5, so
    # every average is suppressed; the other 9 months of the 12 (April 2025 to March 2026) had none. Thurrock:
    # nothing recorded. Essex: 5 in March, so the region has a figure to draw.
    southend = f.la("882")
    for end, count in ((D(2026, 1, 20), 2), (D(2026, 2, 20), 1), (MARCH.replace(day=20), 3)):
        for _ in range(count):
            concluded_on(southend, end, 300)
    for _ in range(5):
        concluded_on(la_a, MARCH.replace(day=20), 200)
    metrics.metrics_compute(window=metrics.Window(D(2025, 4, 1), MARCH, D(2026, 4, 15)))
    pack = board_packs.board_pack_generate(month=MARCH)
    text = pdf_text(pack, tmp_path)

    southend_page = section(text, "Southend-on-Sea: headline figures", "Suffolk: headline figures")
    assert charts.NO_DATA not in southend_page
    assert "[c]" in line_with(southend_page, "Care applications concluded").split()
    flat = " ".join(southend_page.split())
    assert (
        "Every figure recorded here is suppressed ([c]): too few cases to show. 3 figures are suppressed and 9 have "
        "no data (nothing recorded)."
    ) in flat
    row = line_with(southend_page, "Southend-on-Sea", after="average duration (weeks), last 12 months").split()
    assert row[-12:] == [DASH] * 9 + ["[c]"] * 3
    key = "[c]: suppressed so that no child can be identified: fewer than 5 applications concluded in the month"
    assert key in flat
    assert f"{DASH}: no application concluded in the month." in flat

    thurrock_page = section(text, "Thurrock: headline figures", "Volumes, how long episodes last")
    assert charts.NO_DATA in thurrock_page
    assert "[c]" not in thurrock_page
    row = line_with(thurrock_page, "Thurrock", after="average duration (weeks), last 12 months").split()
    assert row[-12:] == [DASH] * 12
