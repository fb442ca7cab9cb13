"""Template lookup: site overrides win, and can extend Clarion's own template with ``default:``."""

from __future__ import annotations

from litestar.testing import TestClient

from clarion.testing import make_person
from clarion.web.app import create_app


def test_site_template_extends_the_default(clarion_engine_factory, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "home.html").write_text('{% extends "default:home.html" %}{% block title %}Acme advocacy{% endblock %}')
    engine = clarion_engine_factory(template_dirs=(str(site),))
    with TestClient(create_app(engine=engine)) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert "<title>Acme advocacy</title>" in page.text
    assert "Open for sharing" in page.text  # the rest of Clarion's page is still there


def test_without_overrides_the_default_title_is_used(clarion_client):
    page = clarion_client.get("/")
    assert "<title>Clarion — your advocacy programme</title>" in page.text


def test_templates_escape_content(clarion_client, clarion_people):
    editor = clarion_people("erin", "editor")
    created = clarion_client.post(
        "/api/v1/content",
        headers=editor.headers,
        json={"title": "<script>alert(1)</script>", "url": "https://example.com/x"},
    ).json()
    for action in ("submit", "approve"):
        clarion_client.post(
            f"/api/v1/content/{created['id']}/transitions", headers=editor.headers, json={"action": action}
        )
    page = clarion_client.get("/")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_a_site_overrides_part_of_a_widget_and_keeps_the_rest(clarion_engine_factory, tmp_path):
    site = tmp_path / "site"
    (site / "widgets").mkdir(parents=True)
    (site / "widgets" / "onboarding.html").write_text(
        '{% extends "default:widgets/onboarding.html" %}'
        '{% block guidelines %}<p class="acme">Read the Acme social media policy.</p>{% endblock %}'
    )
    engine = clarion_engine_factory(template_dirs=(str(site),))
    newcomer = make_person(engine, "newcomer", opted_in=False)
    with TestClient(create_app(engine=engine)) as client:
        fragment = client.get("/widgets/onboarding", headers=newcomer.headers)
    assert fragment.status_code == 200, fragment.text
    assert '<p class="acme">Read the Acme social media policy.</p>' in fragment.text
    assert "Say that you work here" not in fragment.text  # the built-in guidelines were replaced
    assert "Taking part is voluntary." in fragment.text  # the rest of the plugin's template is still there
