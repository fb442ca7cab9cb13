"""A test plugin: one extra badge, for the second published share."""

from clarion import hookimpl
from clarion.badges import Badge


@hookimpl
def clarion_badges_register():
    return [
        Badge(
            name="second-share",
            title="Second share",
            description="You came back and shared again.",
            image_svg='<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4"/></svg>',
            measure="shares",
            threshold=2,
        )
    ]
