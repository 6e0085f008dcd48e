"""The filters people can combine, each defined once.

A facet ties together a public URL parameter (part of the printed-link
contract), the provider attribute it reads, its vocabulary and the template
partial that draws it. Adding a filter means adding a ``Facet`` here, a
partial in ``templates/facets/`` if none fits, and a test.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l

from . import vocabulary as v


@dataclass(frozen=True)
class Facet:
    param: str
    legend: object
    vocabulary: v.Vocabulary
    values_of: Callable[[dict], list[str]]
    hint: object = None
    partial: str = "facets/_checkboxes.html"


def _listed(key: str) -> Callable[[dict], list[str]]:
    def values(record: dict) -> list[str]:
        value = record.get(key)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]
    return values


def _ips(record: dict) -> list[str]:
    return ["ja"] if record.get("ips") else []


FACETS: tuple[Facet, ...] = (
    Facet("inriktning", _l("Inriktning"), v.ORIENTATIONS, _listed("orientation")),
    Facet("stadsdel", _l("Stadsdel"), v.DISTRICTS, _listed("district")),
    Facet("timmar", _l("Timmar i veckan enligt beslutet"), v.HOURS, _listed("hours")),
    Facet("ips", _l("Stöd till jobb"), v.IPS, _ips,
          hint=_l("IPS betyder att du får stöd att hitta ett vanligt jobb med lön, och att behålla det.")),
    Facet("tillgang", _l("Hur du börjar"), v.ACCESS, _listed("access")),
    Facet("huvudman", _l("Vem som driver verksamheten"), v.OPERATORS, _listed("operator")),
)

FACETS_BY_PARAM = {facet.param: facet for facet in FACETS}
