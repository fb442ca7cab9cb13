"""Admin pages from plugins: ``tests/plugins/tags`` adds ``/admin/tags`` with the admin kit.

The menu shows each page to the roles it names, forms go through the kit (CSRF, errors shown again
with a 4xx, a redirect with a flash message, an audit event), and the core's own sections come
through the same hook from the essential ``core-admin`` plugin.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from litestar import Controller, get
from litestar.testing import TestClient
from sqlmodel import col, select

from clarion import hookimpl
from clarion.contracts import AdminPage
from clarion.errors import PluginConflict, PluginError
from clarion.i18n import translations
from clarion.models import AuditEntry, Role
from clarion.testing import Person, make_person
from clarion.web.admin import kit
from clarion.web.admin.forms import admin_csrf_token
from clarion.web.app import create_app
from plugins import tags

REPO = Path(__file__).resolve().parents[2]
CORE_MENU = [
    "/admin/content",
    "/admin/review",
    "/admin/campaigns",
    "/admin/challenges",
    "/admin/analytics",
    "/admin/ambassadors",
    "/admin/metrics-import",
    "/admin/settings",
    "/admin/audit",
    "/admin/personal-data",
    "/admin/sessions",
]


@pytest.fixture
def engine(clarion_engine_factory):
    return clarion_engine_factory(plugins={"tags": tags})


@pytest.fixture
def client(engine):
    with TestClient(create_app(engine=engine)) as client:
        yield client


@pytest.fixture
def people(engine) -> dict[str, Person]:
    return {
        "ada": make_person(engine, "ada", Role.ADMIN),
        "nina": make_person(engine, "nina", Role.ADMIN, locale="nl-NL"),
        "erin": make_person(engine, "erin", Role.EDITOR),
        "amir": make_person(engine, "amir"),
    }


def menu(html: str) -> list[str]:
    nav = html.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<li><a href="([^"]+)"', nav)


def post(client: Any, engine: Any, who: Person, url: str, fields: dict[str, str], csrf: bool = True) -> Any:
    token = {"csrf_token": admin_csrf_token(engine.settings.secret_key, who.external_id)} if csrf else {}
    return client.post(url, data={**token, **fields}, headers=who.headers, follow_redirects=False)


def tag_rows(engine) -> list[tuple[str, str]]:
    with engine.transaction() as session:
        return [(tag.name, tag.description) for tag in session.exec(select(tags.Tag).order_by(col(tags.Tag.id)))]


def audit_entries(engine) -> list[AuditEntry]:
    with engine.transaction() as session:
        return list(
            session.exec(select(AuditEntry).where(col(AuditEntry.subject_type) == "tags").order_by(col(AuditEntry.id)))
        )


def test_hook_admin_pages_register(engine, client, people):
    """The plugin's page joins the menu after the core's sections, for admins only, in their language."""
    owners = [(plugin, page.path) for plugin, page in engine.admin_pages()]
    assert owners == [
        *(
            (
                {
                    "/admin/analytics": "analytics",
                    "/admin/challenges": "gamification",
                    "/admin/metrics-import": "metrics-import",
                    "/admin/audit": "audit-log",
                    "/admin/personal-data": "my-data",
                    "/admin/sessions": "sessions",
                }.get(path, "core-admin"),
                path,
            )
            for path in CORE_MENU
        ),
        ("tags", "/admin/tags"),
    ]
    admin_page = client.get("/admin", headers=people["ada"].headers)
    assert menu(admin_page.text) == [*CORE_MENU, "/admin/tags"]
    assert '<li><a href="/admin/tags">Tags</a></li>' in admin_page.text
    dutch = client.get("/admin/tags", headers=people["nina"].headers)
    assert dutch.status_code == 200
    assert '<li><a href="/admin/tags" aria-current="page">Labels</a></li>' in dutch.text
    assert "Nog geen labels." in dutch.text
    editor_page = client.get("/admin", headers=people["erin"].headers)
    assert menu(editor_page.text) == CORE_MENU[:5]  # neither the admins' sections nor the admin-only plugin page
    assert engine.plugin_parts()["tags"]["admin pages"] == ["/admin/tags (admin)"]
    assert "/admin/content (editor)" in engine.plugin_parts()["core-admin"]["admin pages"]


@pytest.mark.parametrize(
    ("method", "url"), [("GET", "/admin/tags"), ("GET", "/admin/tags/new"), ("POST", "/admin/tags/new")]
)
@pytest.mark.parametrize("who", ["erin", "amir"])
def test_people_below_the_page_role_get_403(engine, client, people, method, url, who):
    if method == "GET":
        response = client.get(url, headers=people[who].headers)
    else:
        response = post(client, engine, people[who], url, {"name": "sneaky"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Not allowed" in response.text
    assert tag_rows(engine) == []


def test_strangers_are_sent_to_sign_in(client):
    response = client.get("/admin/tags", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/signin"


def test_create_then_edit_redirects_with_a_flash_and_audits(engine, client, people):
    ada = people["ada"]
    created = post(client, engine, ada, "/admin/tags/new", {"name": "Hiring", "description": "Jobs posts"})
    assert created.status_code == 303
    assert created.headers["location"] == "/admin/tags/1?saved=1"
    assert tag_rows(engine) == [("Hiring", "Jobs posts")]
    shown = client.get("/admin/tags/1?saved=1", headers=ada.headers)
    assert '<p class="notice" role="status">Saved.</p>' in shown.text
    assert 'value="Hiring"' in shown.text
    updated = post(client, engine, ada, "/admin/tags/1", {"name": "Careers", "description": "Jobs posts"})
    assert updated.status_code == 303
    assert updated.headers["location"] == "/admin/tags/1?saved=1"
    assert tag_rows(engine) == [("Careers", "Jobs posts")]
    assert "Careers" in client.get("/admin/tags", headers=ada.headers).text
    entries = audit_entries(engine)
    assert [entry.action for entry in entries] == ["tags.created", "tags.updated"]
    assert (entries[0].actor_id, entries[0].via, entries[0].subject_id) == (ada.id, "admin", "1")
    assert entries[0].after == {"fields": ["description", "name"]}


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"name": "", "description": "kept"}, 422, "name is required"),
        ({"name": "x" * 61, "description": "kept"}, 422, "name is longer than 60 characters"),
        ({"name": "Hiring", "description": "kept"}, 409, "a tag named &#39;Hiring&#39; exists already"),
    ],
)
def test_form_errors_show_the_form_again_with_the_entered_values(engine, client, people, fields, status, words):
    ada = people["ada"]
    assert post(client, engine, ada, "/admin/tags/new", {"name": "Hiring"}).status_code == 303
    response = post(client, engine, ada, "/admin/tags/new", fields)
    assert response.status_code == status
    assert words in response.text
    assert '<div class="alert" role="alert" id="form-error">' in response.text
    assert ">kept</textarea>" in response.text
    assert tag_rows(engine) == [("Hiring", "")]
    assert len(audit_entries(engine)) == 1  # the refused change left no audit entry
    again = post(client, engine, ada, "/admin/tags/1", {**fields, "name": fields["name"] or ""})
    if fields["name"] == "Hiring":
        assert again.status_code == 303  # renaming a tag to its own name is no clash
    else:
        assert again.status_code == status


def test_forms_without_the_persons_csrf_token_are_refused(engine, client, people):
    response = post(client, engine, people["ada"], "/admin/tags/new", {"name": "Hiring"}, csrf=False)
    assert response.status_code == 403
    assert "this form expired" in response.text
    foreign = client.post(
        "/admin/tags/new",
        data={"name": "Hiring", "csrf_token": admin_csrf_token(engine.settings.secret_key, "erin")},
        headers=people["ada"].headers,
        follow_redirects=False,
    )
    assert foreign.status_code == 403
    assert tag_rows(engine) == []


@pytest.mark.parametrize(
    ("url", "status"), [("/admin/tags/7", 404), ("/admin/tags/0", 400), ("/admin/tags/99999999999", 400)]
)
def test_bad_addresses_get_error_pages(client, people, url, status):
    response = client.get(url, headers=people["ada"].headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text


# -- the contract and its checks -------------------------------------------------------------------------------------


class Elsewhere(Controller):
    path = "/plugins/elsewhere"

    @get("/", opt={"role": "editor"}, sync_to_thread=False)
    def page(self) -> str:
        return "outside the admin"


class Public(Controller):
    path = "/admin/open"

    @get("/", opt={"role": "public"}, sync_to_thread=False)
    def page(self) -> str:
        return "open to all"


def plugin_with(*pages: AdminPage) -> object:
    class Plugin:
        @hookimpl
        def clarion_admin_pages_register(self):
            return list(pages)

    return Plugin()


def test_two_pages_with_one_path_stop_the_start(clarion_engine_factory):
    again = plugin_with(AdminPage("/admin/tags", "Tags again", controllers=[Public]))
    engine = clarion_engine_factory(plugins={"tags": tags, "tags-again": again})
    with pytest.raises(PluginConflict, match="admin page '/admin/tags'") as refused:
        create_app(engine=engine)
    assert "'tags'" in str(refused.value)
    assert "'tags-again'" in str(refused.value)


@pytest.mark.parametrize(
    ("controller", "words"), [(Elsewhere, "serves /plugins/elsewhere, outside /admin/"), (Public, "to the public")]
)
def test_admin_pages_stay_inside_the_admin_area(clarion_engine_factory, controller, words):
    engine = clarion_engine_factory(
        plugins={"odd": plugin_with(AdminPage("/admin/odd", "Odd", controllers=[controller]))}
    )
    with pytest.raises(PluginError, match=words):
        create_app(engine=engine)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"path": "/plugins/x", "label": "X"}, "must be /admin/<name>"),
        ({"path": "/admin/x", "label": "X", "role": "ambassador"}, "must be one of editor, admin"),
        ({"path": "/admin/x", "label": " "}, "label is empty"),
        ({"path": "/admin/x", "label": "X", "controllers": []}, "at least one controller"),
    ],
)
def test_the_admin_page_contract_refuses_mistakes(arguments, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        AdminPage(**{"controllers": [Public], **arguments})


def test_a_crud_view_needs_what_its_routes_use():
    with pytest.raises(ValueError, match="list_template and list_context together"):
        kit.Crud(path="/admin/x", id_name="x_id", form_template="x.html", parse=dict, list_template="list.html")
    with pytest.raises(ValueError, match="editing needs load and values"):
        kit.Crud(path="/admin/x", id_name="x_id", form_template="x.html", parse=dict, update=lambda *args: None)


def test_every_core_menu_entry_speaks_dutch(engine):
    for plugin, page in engine.admin_pages():
        dutch = page.labels.get("nl") or translations("nl").gettext(page.label)
        assert dutch != page.label, f"{plugin}: the menu entry {page.label!r} has no Dutch"


def test_the_guide_shows_the_plugin_that_runs_here():
    guide = (REPO / "docs" / "guides" / "add-an-admin-page.md").read_text()
    source = (REPO / "tests" / "plugins" / "tags" / "__init__.py").read_text()
    blocks = re.findall(r"```python\n(.*?)```", guide, re.DOTALL)
    assert len(blocks) >= 2
    for block in blocks:
        assert textwrap.dedent(block) in source, f"the guide's example drifted from tests/plugins/tags:\n{block}"
