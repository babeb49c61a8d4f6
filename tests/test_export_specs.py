"""The export registry: each spec agrees with its query, and one entry is a whole new export."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from export_fixtures import HEALTH, SESSION, TODAY, build_store

from centredesk.cli import main
from centredesk.jobs.export_specs import FILTERS, SPECS
from centredesk.store import open_store
from centredesk.store.exports import ExportFilters


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("specs") / "store.duckdb")


@pytest.mark.parametrize("kind", list(SPECS))
def test_every_column_of_an_export_is_a_column_its_query_returns(db: Path, kind: str) -> None:
    export = SPECS[kind]
    filters = ExportFilters(centre="123456", product=HEALTH, session=SESSION)
    with open_store(db, read_only=True) as store:
        returned = next(export.query(store.exports, filters, TODAY).chunks()).columns
    assert {column.field for column in export.columns_for(filters)} <= set(returned)
    assert set(export.filters) <= set(FILTERS)
    assert set(export.required) <= set(export.filters)


def test_an_export_added_to_the_registry_is_a_command_with_its_filters(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    products = SPECS["products"]
    codes = replace(
        products,
        kind="codes",
        summary="product codes and titles only",
        sheet="Codes",
        columns=products.columns[:2],
        filters=("title",),
    )
    monkeypatch.setitem(SPECS, "codes", codes)
    out = tmp_path / "codes.xlsx"
    assert main(["export", "codes", "--title", "health", "--out", str(out), "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith("wrote 1 products")
    sheet = openpyxl.load_workbook(out)["Codes"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Product Code", "Title"],
        [HEALTH, "Level 2 Technical Award in Health and Fitness"],
    ]
    assert main(["export", "codes", "--centre", "1", "--out", str(out), "--db", str(db)]) == 2
    assert "the codes export does not take --centre" in capsys.readouterr().err
