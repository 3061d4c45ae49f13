"""Letters rendered from example cases and read back with python-docx: names, dates, sessions, amounts."""

from __future__ import annotations

from datetime import date

import pytest

from service import councils
from service import forms
from service.assessment import evaluate
from service.documents import letter_inputs
from service.documents import produce
from service.engines import Engines
from service.engines.docx_renderer import DocxRenderer
from service.forms.notice_to_improve import improvement_period
from service.problems import CannotProduce
from service.problems import Problem
from service.validation import validate
from tests.conftest import NO_FILE
from tests.conftest import family_case
from tests.forms.conftest import BILINGUAL_NAME_CY

ENGINES = Engines()
LETTERS = [d for d in forms.all() if isinstance(d, forms.Letter)]
EXAMPLE_FOR = {
    "notice-to-improve": "irregular-with-marks",
    "leave-refusal": "holiday-two-children",
    "attendance-letter-1": "irregular-with-marks",
    "attendance-letter-2": "irregular-one-child",
}


def letter(data, document_id, variant=None):
    return produce(document_id, data, ENGINES, "docx", variant=variant)


@pytest.mark.parametrize("document", LETTERS, ids=lambda d: d.id)
def test_template_variables_are_all_provided(case, document):
    data = family_case(EXAMPLE_FOR[document.id])
    if document.id == "attendance-letter-2":
        data["attendance"]["class_average_sessions_missed"] = 3.0
    assessment = evaluate(data)
    for variant in document.variants or (None,):
        inp = letter_inputs(document, assessment, variant)[0]
        context = document.context(inp)
        wanted = DocxRenderer().undeclared(document.template_path(inp.variant))
        missing = wanted - set(context)
        assert not missing, f"{document.template_path(inp.variant).name} uses {missing}: add them to the context"


def test_leave_refusal_statutory_age_for_siblings(case, docx_text):
    rendered = letter(family_case("holiday-two-children"), "leave-refusal")
    text = docx_text(rendered.content)
    assert rendered.filename == "leave-refusal-fairweather-zoe-2026-10-05.docx"
    assert "Dear Hannah Fairweather and Owen Fairweather" in text
    assert "Re: Zoë Fairweather and Alfie Fairweather" in text
    assert "16 October 2026" in text
    assert "request for Zoë and Alfie to be absent for 5 school days for family holiday" in text
    assert "if you do take your children out of school" in text
    assert "each child will have a total of 10 sessions (5 school days) of unauthorised absence" in text
    assert "Northbury Council may issue a penalty notice to each parent for each child" in text
    assert "£80 per parent for each child if paid within 21 days, rising to £160 if paid within 28 days" in text
    # the unchosen variants' sentences are absent, and no choice is left to the reader
    assert "not yet of statutory school age" not in text
    assert "brought to my attention" not in text
    assert "son / daughter" not in text
    assert "delete as necessary" not in text


def test_leave_refusal_not_statutory_age_for_a_four_year_old(case, docx_text):
    data = family_case("holiday-two-children")
    data["pupils"] = data["pupils"][:1]
    data["pupils"][0]["date_of_birth"] = "2021-09-01"  # 5 on 1 Sep 2026: of age only from 31 Dec 2026
    data["parents"] = data["parents"][:1]
    data["absence"]["responsible_parent_ids"] = ["p1"]
    data["pupils"][0]["lives_with"] = ["p1"]
    text = docx_text(letter(data, "leave-refusal").content)
    assert "As Zoë is not yet of statutory school age, I will not be referring the absence" in text
    assert "take your daughter out of school" in text
    assert "your child will have a total of 10 sessions" in text


def test_leave_refusal_not_requested_in_advance_lists_the_grounds(case, docx_text):
    text = docx_text(letter(family_case("holiday-parents-apart"), "leave-refusal").content)
    assert "Siân was absent from school between 9 November 2026 and 13 November 2026" in text
    assert "I understand that this absence is as a result of a family holiday." in text
    assert "You did not request the leave of absence in advance." in text
    assert "We have reason to believe that you were on holiday." in text
    assert "evidence of illness" not in text
    assert "I regret to inform you" not in text


def test_leave_refusal_grounds_from_the_case(case, docx_text):
    data = family_case("holiday-parents-apart")
    data["absence"]["grounds"] = ["no_evidence_of_illness", "late_return"]
    text = docx_text(letter(data, "leave-refusal").content)
    assert "evidence of illness during this period" in text
    assert "the delay in your return to school" in text
    assert "We have reason to believe" not in text


def test_variant_named_in_the_request_wins(case, docx_text):
    text = docx_text(letter(family_case("holiday-two-children"), "leave-refusal", "not-requested-in-advance").content)
    assert "were absent from school between 5 October 2026 and 9 October 2026" in text
    with pytest.raises(Problem) as info:
        letter(family_case("holiday-two-children"), "leave-refusal", "maybe")
    assert info.value.code == "unknown_variant"


def test_authorised_leave_gets_no_refusal_letter(case):
    data = family_case("holiday-two-children")
    data["absence"]["leave_request"]["decision"] = "authorised"
    with pytest.raises(CannotProduce) as info:
        letter(data, "leave-refusal")
    assert [(e.path, e.code) for e in info.value.report.errors] == [
        ("absence.leave_request.decision", "leave_authorised")]


def test_wales_letter_uses_welsh_amounts_and_no_window(family, docx_text):
    data = family("welsh-holiday")
    data["parents"][0]["language"] = "en"
    text = docx_text(letter(data, "leave-refusal").content)
    assert "£60 per parent for each child if paid within 28 days, rising to £120 if paid within 42 days" in text
    assert f"amounts to 10 sessions or more, {NO_FILE['wales']['council_details']['name']} may issue" in text
    assert "Welsh Government guidance" in text
    assert "10 school weeks" not in text


def test_notice_to_improve_has_the_eight_contents(case, docx_text):
    text = docx_text(letter(family_case("irregular-with-marks"), "notice-to-improve").content)
    assert "Re: Tomasz Kowalczyk-Reid (Year 7)" in text
    # 1. the record and the offence, from the marks
    assert "Tomasz has missed 16 sessions of school without authorisation between 7 September 2026 and " \
           "20 November 2026, within 10 school weeks" in text
    assert "83%" in text
    for label, value in (("Sessions possible", "106"), ("Sessions attended", "88"),
                         ("Unauthorised absence (sessions)", "16")):
        assert f"{label}\n{value}" in text
    assert "section 7 of the Education Act 1996" in text  # 2
    assert "1 October 2026: a meeting with the head of year" in text  # 3
    assert "Support that was offered before and not taken up is still available" in text  # 4
    assert "may issue a penalty notice to each parent, or consider prosecution" in text  # 5
    # 6. six school weeks from the next school day (23 Nov 2026 is the letter date), bank holidays skipped
    assert "The improvement period is 6 school weeks, from 24 November 2026 to 18 January 2027 inclusive." in text
    assert "sufficient improvement means no unauthorised absence" in text  # 7
    assert "before the improvement period ends" in text  # 8
    assert "£80 per parent for each child if paid within 21 days" in text
    assert "A second penalty notice within three years is £160" in text
    assert "contact Mr Ben Ashworth on 01632 960100" in text


def test_notice_to_improve_period_skips_holidays_the_school_sends(case, docx_text):
    data = family_case("irregular-with-marks")
    data["school"]["holidays"] = [{"start": "2026-12-21", "end": "2027-01-01"}]
    data["improvement_period_weeks"] = 3
    report, _ = validate(data, "notice-to-improve")
    assert "term_dates_unknown" not in [w.code for w in report.warnings]
    text = docx_text(letter(data, "notice-to-improve").content)
    assert "3 school weeks, from 24 November 2026 to 14 December 2026 inclusive" in text


@pytest.mark.parametrize(("today", "weeks", "closures", "expected"), [
    # 5 school days a week: Monday 2 Nov 2026 → 3 weeks later on Friday 20 Nov
    (date(2026, 10, 30), 3, (), (date(2026, 11, 2), date(2026, 11, 20))),
    # Christmas and Boxing Day 2026 and New Year's Day 2027 are bank holidays (Fri, Mon sub, Fri)
    (date(2026, 12, 18), 1, (), (date(2026, 12, 21), date(2026, 12, 29))),
    # an INSET day inside the period pushes the end by a day
    (date(2026, 10, 30), 1, (date(2026, 11, 4),), (date(2026, 11, 2), date(2026, 11, 9))),
])
def test_improvement_period_in_school_days(today, weeks, closures, expected):
    assert improvement_period(today, weeks, closures) == expected


def test_notice_to_improve_refused_for_holiday(case):
    with pytest.raises(CannotProduce) as info:
        letter(family_case("holiday-two-children"), "notice-to-improve")
    assert ("absence.type", "absence_type_mismatch") in [(e.path, e.code) for e in info.value.report.errors]


def test_attendance_letter_1_has_the_chart_and_class_average(case, docx_text):
    import io
    import zipfile

    rendered = letter(family_case("irregular-with-marks"), "attendance-letter-1")
    text = docx_text(rendered.content)
    assert "Tomasz's attendance has fallen to 83%" in text
    assert "Tomasz has missed 18 sessions this year, while the average number of sessions missed by " \
           "their classmates is 4.5" in text
    media = [n for n in zipfile.ZipFile(io.BytesIO(rendered.content)).namelist() if n.startswith("word/media/")]
    assert len(media) == 1
    png = zipfile.ZipFile(io.BytesIO(rendered.content)).read(media[0])
    assert png.startswith(b"\x89PNG")


def test_attendance_letter_1_needs_the_class_average(case):
    data = family_case("irregular-one-child")
    with pytest.raises(CannotProduce) as info:
        letter(data, "attendance-letter-1")
    assert [e.code for e in info.value.report.errors] == ["class_average_required"]


def test_attendance_letter_2_invites_to_a_meeting(case, docx_text):
    text = docx_text(letter(family_case("irregular-one-child"), "attendance-letter-2").content)
    assert "Callum's attendance has fallen further to 84%" in text
    assert "invite you to attend a School Attendance Meeting" in text
    assert "within the next 5 school days" in text


def test_template_syntax_and_markup_in_names_print_as_written(case, docx_text):
    data = family_case("irregular-one-child")
    data["pupils"][0]["forename"] = "{{ 7*7 }} <b>&amp;"
    data["parents"][0]["full_name"] = "{% raw %}Aoife{% endraw %} & <Ó Briain>"
    text = docx_text(letter(data, "attendance-letter-2").content)
    assert "{{ 7*7 }} <b>&amp;'s attendance has fallen further" in text
    assert "Dear {% raw %}Aoife{% endraw %} & <Ó Briain>" in text
    assert "49" not in text


def test_welsh_parent_gets_welsh_first_then_english(family, bilingual, docx_text):
    text = docx_text(letter(bilingual(family("welsh-holiday")), "leave-refusal").content)
    welsh, english = text.index("Annwyl Iwan Prydderch"), text.index("Dear Iwan Prydderch")
    assert welsh < english
    cy = text[: text.index("Ysgol Gynradd Glan-y-Môr", welsh)]  # up to the English letterhead
    assert "15 Mehefin 2026" in cy  # Babel's cy locale
    assert "Ynghylch: Gwenllian Prydderch" in cy
    assert BILINGUAL_NAME_CY in cy
    assert "£60 i bob rhiant am bob plentyn os caiff ei dalu o fewn 28 diwrnod" in cy
    assert "Yn gywir" in cy
    assert "Dear" not in cy
    assert "15 June 2026" in text[len(cy):]  # the English letterhead and date follow the Welsh letter
    assert "{{" not in text
    assert "{%" not in text


def test_english_parent_in_wales_gets_english_only(family, bilingual, docx_text):
    data = bilingual(family("welsh-holiday"))
    data["parents"][0]["language"] = "en"
    text = docx_text(letter(data, "leave-refusal").content)
    assert "Annwyl" not in text
    assert "Dear Iwan Prydderch" in text


def test_welsh_is_only_for_welsh_councils(case, docx_text):
    data = family_case("holiday-parents-apart")
    data["parents"][0]["language"] = "cy"
    assert "Annwyl" not in docx_text(letter(data, "leave-refusal").content)


def test_welsh_is_only_for_councils_whose_file_asks_for_it(family, docx_text):
    # A Welsh council with no file (the 2013 regulations) has no bilingual_letters rule: English only.
    data = family("welsh-holiday")
    assert data["parents"][0]["language"] == "cy"
    text = docx_text(letter(data, "leave-refusal").content)
    assert "Annwyl" not in text and "Dear Iwan Prydderch" in text


def test_vale_of_glamorgan_file_asks_for_bilingual_letters(case, docx_text):
    council = councils.get("vale-of-glamorgan")
    assert (council.bilingual_letters, council.name_cy) == (True, "Cyngor Bro Morgannwg")
    text = docx_text(letter(case("vale-of-glamorgan-holiday"), "leave-refusal").content)
    welsh = text.index("Annwyl Iwan Prydderch")
    assert welsh < text.index("Dear Iwan Prydderch")
    assert "Cyngor Bro Morgannwg" in text[welsh:text.index("Dear")]


@pytest.mark.parametrize("variant", ["statutory-age", "not-statutory-age", "not-requested-in-advance"])
def test_every_welsh_variant_renders(family, bilingual, docx_text, variant):
    text = docx_text(letter(bilingual(family("welsh-holiday")), "leave-refusal", variant).content)
    assert text.index("Annwyl") < text.index("Dear")
    marker = {"statutory-age": "Mae'n ddrwg gennyf", "not-statutory-age": "oedran ysgol gorfodol eto",
              "not-requested-in-advance": "Daeth i'm sylw"}[variant]
    assert marker in text


def test_welsh_attendance_letters(family, bilingual, docx_text):
    import io
    import zipfile

    data = bilingual(family("welsh-holiday"))
    data["attendance"]["class_average_sessions_missed"] = 3.5
    first = letter(data, "attendance-letter-1")
    text = docx_text(first.content)
    assert "presenoldeb Gwenllian wedi gostwng i 95.1%" in text
    assert text.index("Annwyl") < text.index("Dear")
    media = [n for n in zipfile.ZipFile(io.BytesIO(first.content)).namelist() if n.startswith("word/media/")]
    assert len(media) == 2  # a Welsh chart and an English chart
    second = docx_text(letter(data, "attendance-letter-2").content)
    assert "i Gyfarfod Presenoldeb Ysgol" in second  # soft mutation after "i"


def test_attendance_letter_1_draws_only_the_charts_it_prints(case, monkeypatch):
    # Issue #16: the Welsh chart was drawn even for an English-only letter.
    from service.forms import attendance_letter_1

    drawn = []
    original = attendance_letter_1.sessions_missed
    monkeypatch.setattr(attendance_letter_1, "sessions_missed", lambda *a: drawn.append(a[2]) or original(*a))
    letter(family_case("irregular-with-marks"), "attendance-letter-1")
    assert drawn == ["Class average"]


def test_the_chart_shows_the_pupil_against_the_class():
    import io

    from PIL import Image

    from service.charts import CLASS
    from service.charts import PUPIL
    from service.charts import sessions_missed

    png = sessions_missed("Tomasz", 18, "Class average", 4.5, "Sessions missed this school year")
    assert png == sessions_missed("Tomasz", 18, "Class average", 4.5, "Sessions missed this school year")
    image = Image.open(io.BytesIO(png)).convert("RGB")

    def height(colour: str) -> int:
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        column = next(x for x in range(image.width) if any(image.getpixel((x, y)) == rgb for y in range(image.height)))
        return sum(1 for y in range(image.height) if image.getpixel((column + 5, y)) == rgb)

    assert abs(height(PUPIL) / height(CLASS) - 18 / 4.5) < 0.1


def _template_files() -> list:
    return sorted({d.template_path(v) for d in LETTERS for v in (d.variants or (None,))})


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: p.name)
def test_template_holds_only_the_styles_it_uses(path):
    # LibreOffice parses every style of a DOCX on each conversion: python-docx's full gallery tripled a
    # letter's conversion time (bench/, issue #16). scripts/build_docx_templates.py keeps what is used.
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        styles = archive.read("word/styles.xml").decode()
        body = "".join(archive.read(n).decode() for n in names if n.startswith("word/") and n.endswith(".xml")
                       and n != "word/styles.xml")
    defined = set(re.findall(r'w:styleId="([^"]+)"', styles))
    used = set(re.findall(r'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', body))
    assert used <= defined, f"{path.name} uses undefined styles {used - defined}"
    assert "w:latentStyles" not in styles
    assert not names & {"word/stylesWithEffects.xml", "docProps/thumbnail.jpeg"}
    assert len(defined) <= 16, f"{path.name} has {len(defined)} styles: rebuild it with scripts/build_docx_templates.py"
