"""What a plugin hands the core: the contracts of the ownership hooks (jobs, tables, admin pages, personal data)."""

from clarion.contracts.admin import AdminPage
from clarion.contracts.jobs import Job
from clarion.contracts.personal_data import Erasure, PersonRows, person_rows
from clarion.contracts.schema import Schema
from clarion.contracts.serve import ServeSetup

__all__ = ["AdminPage", "Erasure", "Job", "PersonRows", "Schema", "ServeSetup", "person_rows"]
