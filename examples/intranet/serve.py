"""An example intranet page on another origin that embeds Clarion's widgets in all three modes.

Run it: ``clarion serve --demo`` in one terminal and ``python examples/intranet/serve.py`` in
another (same working directory, so both use the same ``.clarion-secret``), then open
http://127.0.0.1:8001/. ``?user=<external id>`` picks who the intranet says you are.

The page shows what an intranet backend does:

* mints a short-lived, single-use signed token per widget session (``POST /clarion-token``
  for ``<clarion-widget>``, the URL fragment of each ``<iframe>``), never in a query string;
* fetches server-rendered fragments (``/widgets/feed``, …) with tokens of its own and inlines them.

It shows every built-in widget: onboarding, feed, my-impact, campaign (``--campaign``, a slug;
the demo's ``engineering-hiring`` by default), submit, challenges and leaderboard; ``--widget``
(repeatable) shows other ones instead, a plugin's widget for instance (``--widget kudos``).

Settings: ``CLARION_URL`` (default http://127.0.0.1:8000), ``CLARION_SECRET_KEY`` (default: the
``.clarion-secret`` file ``clarion serve`` created here), ``INTRANET_USER`` (default ``newcomer``),
``INTRANET_CAMPAIGN`` (default ``engineering-hiring``).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import secrets
import sys
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from clarion.tokens import EXCHANGE_MAX_TTL_SECONDS, mint_token

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme intranet</title>
<link rel="stylesheet" href="{clarion}/static/widgets.css">
<style>
  body {{ margin: 0; font-family: system-ui, sans-serif; background: #eef1f5; color: #1c2733; }}
  header {{ background: #3b2a63; color: #fff; padding: .8rem 1.2rem; }}
  header p {{ margin: .2rem 0 0; opacity: .85; font-size: .9rem; }}
  main {{ display: grid; gap: 1rem; padding: 1rem; max-width: 70rem; margin: 0 auto;
          grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr)); }}
  section.mode:first-child {{ grid-column: 1 / -1; }}
  section.mode {{ background: #fff; border-radius: .6rem; padding: .8rem; min-width: 0; }}
  section.mode > h2 {{ font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: #4f5d6b; margin: 0 0 .6rem; }}
  iframe[data-clarion] {{ width: 100%; height: 320px; border: 0; display: block; }}
  /* Theming: Clarion's widgets read these custom properties, inside Shadow DOM too. */
  clarion-widget, #server-fragment {{ --clarion-accent: #3b2a63; --clarion-radius: .5rem; }}
  clarion-widget + clarion-widget, iframe[data-clarion] + iframe[data-clarion], .clarion-fragment + .clarion-fragment {{
    margin-top: 1rem; border-top: 1px solid #d5dde6; padding-top: 1rem; }}
</style>
<script src="{clarion}/embed.js" defer></script>
</head>
<body>
<header><strong>Acme intranet</strong><p>Signed in as {user}</p></header>
<main>
  <section class="mode" aria-labelledby="mode-element">
    <h2 id="mode-element">Custom element</h2>
{elements}
  </section>
  <section class="mode" aria-labelledby="mode-iframe">
    <h2 id="mode-iframe">iframe</h2>
{frames}
  </section>
  <section class="mode" aria-labelledby="mode-fragment">
    <h2 id="mode-fragment">Server-rendered fragment</h2>
    <div id="server-fragment">{fragments}</div>
  </section>
</main>
<script src="/bind-fragment.js" defer></script>
</body>
</html>
"""

# Lets the inlined fragments' buttons and forms work too (the page already loads embed.js); one
# binding per fragment, so each widget's messages appear in that widget.
BIND_FRAGMENT = (
    'addEventListener("DOMContentLoaded", () => { for (const holder of document.querySelectorAll(".clarion-fragment")) '
    'ClarionEmbed.bind(holder, "/clarion-token"); });\n'
)

# Every widget the page shows, with its iframe title: (name, title, settings).
Shown = tuple[tuple[str, str, dict[str, str | None]], ...]
WIDGETS: Shown = (
    ("onboarding", "Clarion: join the programme", {}),
    ("feed", "Clarion: ready to share", {}),
    ("my-impact", "Clarion: my impact", {}),
    ("my-queue", "Clarion: my queue", {}),
    ("profile", "Clarion: my profile", {}),
    ("campaign", "Clarion: campaign progress", {"campaign": None}),  # the page's campaign slug
    ("submit", "Clarion: suggest content", {}),
    ("challenges", "Clarion: challenges", {}),
    ("leaderboard", "Clarion: leaderboard", {}),
)
DEMO_CAMPAIGN = "engineering-hiring"  # a campaign `clarion serve --demo` runs today


def widget_settings(settings: dict[str, str | None], campaign: str) -> dict[str, str]:
    return {key: campaign if key == "campaign" else str(value) for key, value in settings.items()}


def read_secret(explicit: str | None = None) -> str:
    """The key shared with Clarion: given, from CLARION_SECRET_KEY, or the local .clarion-secret."""
    if explicit:
        return explicit
    if os.environ.get("CLARION_SECRET_KEY"):
        return os.environ["CLARION_SECRET_KEY"]
    path = Path.cwd() / ".clarion-secret"
    if path.is_file():
        return path.read_text().strip()
    raise SystemExit("set CLARION_SECRET_KEY (or run from the directory where `clarion serve` created .clarion-secret)")


def widget_token(secret: str, user: str) -> str:
    """A single-use token for one widget session: unique jti, the shortest useful lifetime."""
    return mint_token(secret, user, ttl_seconds=EXCHANGE_MAX_TTL_SECONDS, jti=secrets.token_urlsafe(16))


def fetch_fragment(
    clarion: str, secret: str, user: str, name: str = "feed", settings: dict[str, str] | None = None
) -> str:
    """Server to server: the fragment as HTML (already escaped by Clarion), or a short notice."""
    token = mint_token(secret, user, ttl_seconds=60)
    query = f"?{urlencode(settings)}" if settings else ""
    request = urllib.request.Request(
        f"{clarion}/widgets/{quote(name)}{query}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read().decode()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:300]
        return f"<p>Clarion could not render {html.escape(name)}: {html.escape(detail)}</p>"
    except (urllib.error.URLError, OSError) as exc:
        return f"<p>Clarion is not reachable at {html.escape(clarion)} ({html.escape(str(exc))}).</p>"


def elements(widgets: Shown, campaign: str) -> str:
    """One ``<clarion-widget>`` per widget, its settings as ``data-*`` attributes."""
    found = []
    for name, _title, settings in widgets:
        attributes = "".join(
            f' data-{key.replace("_", "-")}="{html.escape(value)}"'
            for key, value in widget_settings(settings, campaign).items()
        )
        found.append(
            f'    <clarion-widget name="{html.escape(name)}" token-url="/clarion-token"{attributes}></clarion-widget>'
        )
    return "\n".join(found)


def frames(clarion: str, secret: str, user: str, origin: str, campaign: str, widgets: Shown = WIDGETS) -> str:
    """One iframe per widget, each with a single-use token of its own in the URL fragment."""
    found = []
    for name, title, settings in widgets:
        query = urlencode({**widget_settings(settings, campaign), "parent": origin})
        src = f"{clarion}/embed/{quote(name)}?{query}#token={widget_token(secret, user)}"
        found.append(f'    <iframe data-clarion title="{html.escape(title)}" src="{html.escape(src)}"></iframe>')
    return "\n".join(found)


def fragments(clarion: str, secret: str, user: str, campaign: str, widgets: Shown = WIDGETS) -> str:
    """Every widget rendered by Clarion for the intranet's backend, each in a holder of its own."""
    return "".join(
        f'<div class="clarion-fragment">{fetch_fragment(clarion, secret, user, name, widget_settings(settings, campaign))}</div>'
        for name, _title, settings in widgets
    )


def make_server(
    clarion: str,
    secret: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    user: str = "newcomer",
    campaign: str = DEMO_CAMPAIGN,
    widgets: Shown = WIDGETS,
):
    """The intranet's HTTP server (not started): the page, the token endpoint and a small script.

    ``widgets`` are the (name, iframe title, settings) of the widgets the page shows in each mode.
    """
    clarion = clarion.rstrip("/")

    class Intranet(BaseHTTPRequestHandler):
        def _user(self) -> str:
            # A real intranet knows who is signed in; the demo takes ?user= or the default.
            query = parse_qs(urlsplit(self.path).query)
            return query.get("user", [user])[0][:200] or user

        def _send(self, status: int, body: bytes, content_type: str, cookie: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if cookie is not None:
                # The intranet's own session, standing in for a real sign-in.
                self.send_header("Set-Cookie", f"intranet_user={quote(cookie)}; Path=/; HttpOnly; SameSite=Strict")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/bind-fragment.js":
                return self._send(200, BIND_FRAGMENT.encode(), "text/javascript")
            if path != "/":
                return self._send(404, b"not found", "text/plain")
            person = self._user()
            origin = f"http://{self.headers.get('Host', f'{host}:{port}')}"
            page = PAGE.format(
                clarion=html.escape(clarion),
                user=html.escape(person),
                elements=elements(widgets, campaign),
                frames=frames(clarion, secret, person, origin, campaign, widgets),
                fragments=fragments(clarion, secret, person, campaign, widgets),
            )
            return self._send(200, page.encode(), "text/html; charset=utf-8", cookie=person)

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/clarion-token":
                return self._send(404, b"not found", "text/plain")
            # Same-origin only: the intranet's own page asks, with the intranet's own session.
            if self.headers.get("Origin") not in (None, f"http://{self.headers.get('Host')}"):
                return self._send(403, b"forbidden", "text/plain")
            cookies = SimpleCookie(self.headers.get("Cookie", ""))
            person = unquote(cookies["intranet_user"].value) if "intranet_user" in cookies else user
            body = json.dumps({"token": widget_token(secret, person[:200] or user)}).encode()
            return self._send(200, body, "application/json")

        def log_message(self, format: str, *args) -> None:
            # Never log request lines: a misconfigured page could still put a token in one.
            pass

    return ThreadingHTTPServer((host, port), Intranet)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clarion", default=os.environ.get("CLARION_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--user", default=os.environ.get("INTRANET_USER", "newcomer"))
    parser.add_argument(
        "--campaign",
        default=os.environ.get("INTRANET_CAMPAIGN", DEMO_CAMPAIGN),
        help="slug of the campaign the campaign widget shows (default: %(default)s, from the demo)",
    )
    parser.add_argument(
        "--widget",
        action="append",
        dest="widgets",
        metavar="NAME",
        help="show this widget instead of the built-in ones (repeatable), e.g. a plugin's",
    )
    args = parser.parse_args(argv)
    widgets = tuple((name, f"Clarion: {name}", {}) for name in args.widgets) if args.widgets else WIDGETS
    server = make_server(
        args.clarion,
        read_secret(),
        host=args.host,
        port=args.port,
        user=args.user,
        campaign=args.campaign,
        widgets=widgets,
    )
    print(f"Acme intranet on http://{args.host}:{server.server_address[1]}/ embedding {args.clarion}", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
