"""A test plugin registering a badge name the built-in badges already use."""

from clarion import hookimpl
from clarion.badges import Badge


@hookimpl
def clarion_badges_register():
    return [Badge("first-share", "First share", "Again.", "<svg/>", "shares", 1)]
