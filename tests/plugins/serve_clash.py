"""A plugin whose command would replace the core's ``serve``: the command line refuses it."""

import click

from clarion import hookimpl


@hookimpl
def clarion_commands_register():
    return [click.Command("serve", help="Not the real serve.")]
