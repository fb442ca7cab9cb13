"""What a share looks like on Discourse: the topic title and the Markdown body, and how Discourse counts them.

Discourse checks the stripped length of the title and of the body in characters (code points),
against site settings that default to 15 to 255 for titles and 20 to 32000 for posts.
"""

from __future__ import annotations

from clarion.connectors import SharePost, TextCheck

from clarion_discourse.settings import DiscourseSettings

ELLIPSIS = "…"


def post_raw(post: SharePost) -> str:
    """The post's Markdown: the ambassador's words and hashtags, then the tracked link on a line of its own.

    A link alone on its line is what Discourse turns into a preview card (a "onebox").
    """
    words = " ".join([post.text.strip(), *(f"#{tag}" for tag in post.hashtags)]).strip()
    return f"{words}\n\n{post.link}" if words else post.link


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def topic_title(post: SharePost, settings: DiscourseSettings) -> str:
    """The title of the new topic: the content's title, completed with the ambassador's words when too short.

    Content titles are often shorter than the forum's minimum ("We are hiring" has 13 characters,
    the default minimum is 15); rather than refusing them, the first line of the ambassador's
    words follows after a colon. A title longer than the maximum is cut with an ellipsis.
    """
    title = " ".join(post.title.split())
    first_line = " ".join(post.text.strip().split("\n", 1)[0].split()) if post.text.strip() else ""
    if len(title) < settings.title_min_length and first_line:
        title = f"{title}: {first_line}" if title else first_line
    return _shortened(title, settings.title_max_length)


def check_post(post: SharePost, settings: DiscourseSettings, *, with_title: bool) -> TextCheck:
    """Discourse's length rules on the body, and on the title when the share opens a new topic."""
    length = len(post_raw(post).strip())
    problems: list[str] = []
    if length > settings.body_max_length:
        problems.append(f"Discourse allows {settings.body_max_length} characters in a post; this one counts {length}.")
    elif length < settings.body_min_length:
        problems.append(
            f"Discourse needs at least {settings.body_min_length} characters in a post; this one counts {length}."
        )
    if with_title:
        title_length = len(topic_title(post, settings))
        if title_length < settings.title_min_length:
            problems.append(
                f"Discourse needs a topic title of at least {settings.title_min_length} characters; "
                f"this one counts {title_length}: add a few words of your own."
            )
    return TextCheck(length=length, limit=settings.body_max_length, problems=tuple(problems))
