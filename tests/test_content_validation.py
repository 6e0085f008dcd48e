"""Editors get every problem at once, as path:line: field: message, with near misses suggested."""

import shutil
from pathlib import Path

from app_factory import FIXTURES

from catalogue.index.content import load_content, parse_provider

GOOD = """---
name: Kafé Exempel
summary: Ett kafé där du träffar andra.
status: active
reviewed: 2025-03-01
orientation: [social]
activities: [kafe-och-kok]
district: farsta
hours: [1-12]
ips: false
access: [oppen]
operator: ideburen
valfrihetssystem: false
age: {min: 18, max: 65}
languages: [sv, fi]
physical_accessibility: [stegfritt, horslinga]
opening_hours:
  - days: mon-fri
    opens: "09:00"
    closes: "15:00"
contact:
  phone: 08-123 456 78
  email: info@example.org
  website: https://example.org
sources:
  - url: https://example.org/om
    title: Om oss
    date: 2024-05
    covers: [opening_hours, district]
---
Beskrivning.
"""


def parse(text: str, name: str = "exempel.md"):
    return parse_provider(Path(name), text)


def messages(text: str, name: str = "exempel.md") -> list[str]:
    record, errors = parse(text, name)
    assert record is None
    return [str(error) for error in errors]


def test_a_complete_file_is_accepted_with_all_its_facts():
    record, errors = parse(GOOD)
    assert errors == []
    assert record["slug"] == "exempel"
    assert record["district"] == "farsta"
    assert record["hours"] == ["1-12"]
    assert record["opening_hours"] == [{"days": ["mon", "fri"], "opens": "09:00", "closes": "15:00"}]
    assert record["reviewed"] == "2025-03-01"
    assert record["description_html"] == "<p>Beskrivning.</p>"


def test_missing_required_fields_are_each_reported():
    errors = messages("---\nstatus: active\n---\n")
    assert "exempel.md:1: name: fältet krävs men saknas" in errors
    assert any(": summary: fältet krävs" in e for e in errors)
    assert any(": sources: fältet krävs" in e for e in errors)
    assert any(": reviewed: fältet krävs" in e for e in errors)


def test_misspelled_vocabulary_names_the_line_and_suggests_the_near_miss():
    text = GOOD.replace("orientation: [social]", "orientation: [arbetsinrktad]")
    [error] = messages(text)
    assert error.startswith("exempel.md:6: orientation.0: okänt värde 'arbetsinrktad'")
    assert "menade du 'arbetsinriktad'?" in error


def test_unknown_field_is_an_error_with_a_suggestion():
    [error] = messages(GOOD.replace("district: farsta", "distrikt: farsta"))
    assert error == "exempel.md:8: distrikt: okänt fält – menade du 'district'?"


def test_every_problem_in_a_file_is_reported_at_once():
    text = (
        GOOD.replace("district: farsta", "district: atlantis")
        .replace("ips: false", "ips: ja")
        .replace('closes: "15:00"', 'closes: "08:00"')
        .replace("reviewed: 2025-03-01", "reviewed: igår")
    )
    errors = messages(text)
    fields = [e.split(": ")[1] for e in errors]
    assert fields == ["reviewed", "district", "ips", "opening_hours.0.closes"]
    assert errors[0].startswith("exempel.md:5: reviewed:")
    assert errors[3].startswith("exempel.md:20: opening_hours.0.closes:")


def test_summary_longer_than_200_characters_is_rejected():
    [error] = messages(GOOD.replace("Ett kafé där du träffar andra.", "ord " * 60))
    assert ": summary: är 239 tecken, högst 200 är tillåtet" in error


def test_yaml_syntax_errors_point_at_the_line_in_the_file():
    text = GOOD.replace("district: farsta", "district: [farsta")
    [error] = messages(text)
    assert error.startswith("exempel.md:8: front matter: YAML-fel")


def test_file_without_front_matter_is_rejected():
    [error] = messages("Bara text.\n")
    assert error.startswith("exempel.md:1: front matter:")


def test_file_names_must_be_url_slugs():
    errors = messages(GOOD, "Kafé Exempel.md")
    assert any("filnamnet" in e for e in errors)


def test_pre_2023_district_names_are_accepted_as_aliases():
    for old, new in [
        ("rinkeby-kista", "jarva"),
        ("Spånga-Tensta", "jarva"),
        ("norrmalm", "norra-innerstaden"),
        ("Östermalm", "norra-innerstaden"),
    ]:
        record, errors = parse(GOOD.replace("district: farsta", f"district: {old}"))
        assert errors == [] and record["district"] == new


def test_sources_may_only_cover_known_fields():
    [error] = messages(GOOD.replace("covers: [opening_hours, district]", "covers: [opening_hour]"))
    assert "sources.0.covers.0: okänt fält 'opening_hour' – menade du 'opening_hours'?" in error


def test_bad_contact_details_and_language_codes_are_rejected():
    text = (
        GOOD.replace("info@example.org", "inte-en-adress")
        .replace("https://example.org\n", "example.org\n")
        .replace("[sv, fi]", "[sv, svenska]")
    )
    fields = [e.split(": ")[1] for e in messages(text)]
    assert fields == ["languages.1", "contact.email", "contact.website"]


def test_a_field_left_empty_asks_to_be_removed_instead():
    [error] = messages(GOOD.replace("district: farsta", "district:"))
    assert "district: saknar värde" in error


def test_loading_a_folder_keeps_good_files_and_reports_broken_ones(tmp_path):
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / "bra.md").write_text(GOOD, encoding="utf-8")
    (folder / "trasig.md").write_text(GOOD.replace("status: active", "status: kanske"), encoding="utf-8")
    (folder / "latin1.md").write_bytes(GOOD.encode("latin-1"))
    shutil.copy(FIXTURES / "content" / "site.yml", tmp_path)  # the municipality whose districts GOOD names
    loaded = load_content(tmp_path)
    assert [p["slug"] for p in loaded.providers] == ["bra"]
    assert sorted(Path(e.path).name for e in loaded.errors) == ["latin1.md", "trasig.md"]


def test_the_real_content_validates():
    loaded = load_content(Path(__file__).parent.parent / "content")
    assert loaded.errors == []
    active = [p for p in loaded.providers if p["status"] == "active"]
    assert len(active) >= 15


def test_every_source_says_when_it_was_written_at_least_the_year():
    assert parse(GOOD.replace("date: 2024-05", "date: 2014"))[0]["sources"][0]["date"] == "2014"
    assert parse(GOOD.replace("date: 2024-05", "date: 2014-02-18"))[0]["sources"][0]["date"] == "2014-02-18"
    assert messages(GOOD.replace("    date: 2024-05\n", "")) == [
        "exempel.md:26: sources.0.date: fältet krävs men saknas"
    ]
    assert messages(GOOD.replace("date: 2024-05", "date: maj 2014")) == [
        "exempel.md:28: sources.0.date: ska vara ett år (2014), en månad (2014-02) eller ett datum (2014-02-18)"
    ]
    assert messages(GOOD.replace("date: 2024-05", "date: 2999")) == [
        "exempel.md:28: sources.0.date: datumet ligger i framtiden"
    ]


def test_the_old_checked_date_is_named_with_what_to_write_instead():
    [error] = messages(GOOD.replace("reviewed: 2025-03-01", "reviewed: 2025-03-01\nverified: 2025-03-01"))
    assert error.startswith("exempel.md:6: verified: fältet heter nu reviewed")
    assert "confirmed" in error


def test_a_confirmation_by_the_offering_needs_a_day_and_a_way():
    record, errors = parse(
        GOOD.replace("reviewed: 2025-03-01", "reviewed: 2025-03-01\nconfirmed: {date: 2025-03-02, via: phone}")
    )
    assert errors == [] and record["confirmed"] == {"date": "2025-03-02", "via": "phone"}
    errors = messages(
        GOOD.replace("reviewed: 2025-03-01", "reviewed: 2025-03-01\nconfirmed: {date: 2025-03-02, via: brev}")
    )
    assert errors == ["exempel.md:6: confirmed.via: okänt värde 'brev' (tillåtna: invitation, phone, email, visit)"]
    assert messages(GOOD.replace("reviewed: 2025-03-01", "reviewed: 2025-03-01\nconfirmed: {via: phone}")) == [
        "exempel.md:6: confirmed.date: fältet krävs men saknas"
    ]


PARTS = """parts:
  - name: Öppna delen
    access: [oppen]
    summary: Fika och umgås.
    start: Ring och boka ett första besök.
  - name: Arbetspass
    access: [beslut]
opening_hours:
  - days: thu
    opens: "09:00"
    closes: "16:00"
    part: Öppna delen
"""


def with_parts(parts: str = PARTS) -> str:
    return GOOD.replace("access: [oppen]\n", "").replace(
        'opening_hours:\n  - days: mon-fri\n    opens: "09:00"\n    closes: "15:00"\n', parts
    )


def test_an_offering_with_two_ways_in_states_each_part_and_its_access_is_both():
    record, errors = parse(with_parts())
    assert errors == []
    assert record["access"] == ["beslut", "oppen"]  # derived from the parts, in the vocabulary's order
    assert [part["name"] for part in record["parts"]] == ["Öppna delen", "Arbetspass"]
    assert record["opening_hours"][0]["part"] == "Öppna delen"


def test_parts_that_could_contradict_each_other_or_the_offering_are_errors():
    assert messages(with_parts().replace("parts:", "access: [oppen]\nparts:")) == [
        "exempel.md:16: access: när verksamheten har delar står access i varje del (parts), inte här"
    ]
    errors = messages(with_parts(PARTS.replace("part: Öppna delen", "part: Öppna del")))
    assert errors == [
        "exempel.md:27: opening_hours.0.part: det finns ingen del som heter 'Öppna del' – menade du 'Öppna delen'?"
    ]
    errors = messages(with_parts(PARTS.replace("name: Arbetspass", "name: Öppna delen")))
    assert errors == ["exempel.md:21: parts.1.name: delen 'Öppna delen' finns redan"]
    one = "parts:\n  - name: Öppna delen\n    access: [oppen]\n"
    assert messages(with_parts(one)) == [
        "exempel.md:16: parts: en enda del är ingen del: skriv dess uppgifter direkt på verksamheten"
    ]
    assert messages(GOOD.replace('closes: "15:00"', 'closes: "15:00"\n    part: Öppna delen')) == [
        "exempel.md:21: opening_hours.0.part: verksamheten har inga delar (parts)"
    ]
    missing = messages(with_parts(PARTS.replace("    access: [beslut]\n", "")))
    assert missing == ["exempel.md:21: parts.1.access: fältet krävs men saknas"]
    empty = messages(with_parts(PARTS.replace("    access: [beslut]\n", "    access: []\n")))
    assert empty == ["exempel.md:22: parts.1.access: säg hur man börjar i delen: beslut, oppen eller båda"]
