"""The OpenAPI says what the API answers: one number type for figures, CSV answers documented and sent with one charset."""

from __future__ import annotations

import pytest

CSV_ROUTES = ["/api/v1/analytics/programme", "/api/v1/analytics/breakdown", "/api/v1/me/analytics"]


def test_a_figure_value_is_one_number_type_so_integers_match_exactly_one_branch(api):
    value = api.get("/schema/openapi.json").json()["components"]["schemas"]["FigureOut"]["properties"]["value"]
    types = [branch.get("type") for branch in value.get("oneOf", [value])]
    assert sorted(types) == ["null", "number"], value


def test_integer_figures_stay_integers_on_the_wire(api, cast):
    api.create_campaign(cast.erin)
    figures = api.get("/api/v1/analytics/programme", cast.erin).json()["figures"]
    counts = [figure["value"] for figure in figures if figure["key"] in {"shares", "clicks"}]
    assert counts
    assert all(isinstance(value, int) for value in counts), counts


def test_every_route_with_a_csv_format_documents_text_csv(api):
    paths = api.get("/schema/openapi.json").json()["paths"]
    with_format = [
        (path, method)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if any(parameter.get("name") == "format" for parameter in operation.get("parameters", []))
    ]
    assert len(with_format) >= 9
    for path, method in with_format:
        assert "text/csv" in paths[path][method]["responses"]["200"]["content"], path


@pytest.mark.parametrize("path", CSV_ROUTES)
def test_csv_answers_name_their_charset_once(api, cast, path):
    query = "?format=csv&by=team" if "breakdown" in path else "?format=csv"
    response = api.get(path + query, cast.erin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
