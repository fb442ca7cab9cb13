"""What a plugin hands the core: the contracts of the ownership hooks (jobs, tables, admin pages)."""

from clarion.contracts.admin import AdminPage
from clarion.contracts.jobs import Job
from clarion.contracts.schema import Schema
from clarion.contracts.serve import ServeSetup

__all__ = ["AdminPage", "Job", "Schema", "ServeSetup"]
