"""``analys kpi search`` and ``analys kpi show``: the demo catalogue, or the store's."""

from __future__ import annotations

import pytest

from analys import catalogue, demo, registry
from analys.cli import kpi, main
from analys.errors import AnalysError, ParamsError
from analys.kolada import KoladaClient
from analys.store import Store


@pytest.fixture
def fetched_catalogue(kolada_server):
    """The store holds the fake server's catalogue, with one KPI only Kolada knows."""
    extra = {
        **demo.kpis().iloc[0].to_dict(),
        "id": "N99001",
        "title": "Meritvärde i testkommunen, genomsnitt (-2019)",
    }
    kolada_server.tables["kpi"] = [*demo.kpis().to_dict(orient="records"), extra]
    Store().refresh_metadata(KoladaClient(kolada_server.url, requests_per_second=None))
    return kolada_server


def test_search_in_the_demo_catalogue_when_nothing_is_fetched():
    hits = catalogue.search("meritvärde")
    assert hits.attrs["source"] == "demo"
    assert list(hits.columns) == ["id", "title", "area", "municipality_type"]
    assert {"N15507", "N15504"} <= set(hits["id"])
    assert all("meritvärde" in t.lower() for t in hits["title"])


def test_search_needs_every_word_and_ignores_case():
    both = catalogue.search("MERITVÄRDE hemkommun", "demo")
    assert both["id"].tolist() == ["N15507"]
    assert catalogue.search("N15507", "demo")["id"].tolist() == ["N15507"]
    assert catalogue.search("inget sådant nyckeltal", "demo").empty


def test_search_uses_the_store_once_fetched(fetched_catalogue):
    hits = catalogue.search("meritvärde")
    assert hits.attrs["source"] == "store" and "N99001" in set(hits["id"])
    assert "N99001" not in set(catalogue.search("meritvärde", "demo")["id"])


def test_asking_for_the_store_without_one_is_an_error():
    with pytest.raises(AnalysError, match="analys fetch"):
        catalogue.search("meritvärde", "store")
    with pytest.raises(ParamsError, match="store eller demo"):
        catalogue.search("meritvärde", "kolada")


def test_show_joins_kolada_metadata_and_the_registry():
    info = catalogue.show("n15507")
    assert info["id"] == "N15507" and info["source"] == "demo"
    assert info["kolada"]["operating_area"] == "Grundskola åk 0-9 inkl förskoleklass"
    assert info["kolada"]["is_divided_by_gender"] is True
    assert info["registry"] == registry.entry("N15507")
    assert info["discontinued"] is None


def test_show_marks_discontinued_series_and_kpis_outside_the_registry(fetched_catalogue):
    info = catalogue.show("N99001")
    assert info["source"] == "store" and info["discontinued"] == 2019
    assert info["registry"] is None


def test_show_an_unknown_id_suggests_close_ones():
    with pytest.raises(ParamsError, match="menade du N15560 eller N15508 eller N15507"):
        catalogue.show("N15570")


def test_cli_search(capsys):
    assert main(["kpi", "search", "meritvärde"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Källa: demokatalogen")
    assert "N15507  Elever i åk 9, meritvärde, hemkommun" in out
    assert "[Grundskola åk 0-9 inkl förskoleklass]" in out


def test_cli_search_from_the_store(fetched_catalogue, capsys):
    assert main(["kpi", "search", "meritvärde"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Källa: Koladas katalog i det lokala lagret (hämtad ")
    assert "N99001" in out


def test_cli_search_without_hits_and_without_text(capsys):
    assert main(["kpi", "search", "xyzzy"]) == 0
    assert "Inga nyckeltal matchar 'xyzzy'" in capsys.readouterr().out
    assert kpi.search_cli("  ") == 2


def test_cli_show(capsys):
    assert main(["kpi", "show", "N15507"]) == 0
    out = capsys.readouterr().out
    for text in (
        "N15507  Elever i åk 9, meritvärde",
        "Verksamhetsområde:      Grundskola",
        "Könsuppdelat:           ja",
        "Finns för:              kommuner",
        "Riktning:  högre är bättre",
        "Enhet:     poäng",
        "Publiceringsperiod:",
        "Slutlig publicering:",
        "Källa: demokatalogen",
    ):
        assert text in out


def test_cli_show_a_discontinued_kpi_outside_the_registry(fetched_catalogue, capsys):
    assert main(["kpi", "show", "N99001"]) == 0
    out = capsys.readouterr().out
    assert "serien är avslutad (2019)" in out and "register saknar nyckeltalet" in out


def test_cli_show_unknown(capsys):
    assert main(["kpi", "show", "N15570"]) == 2
    err = capsys.readouterr().err
    assert "N15570 finns inte i demokatalogen" in err and "N15507" in err
