"""clarion-kudos: colleagues thank an ambassador for a share (an example Clarion plugin)."""

__version__ = "0.1.0"
